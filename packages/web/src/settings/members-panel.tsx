/** Members and their roles; owners and admins change roles or remove members. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ROLES, type Role } from "../auth/auth-api";
import { useAuth } from "../auth/auth-context";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { Field, FormError } from "./form-fields";
import { NotAvailable } from "./not-available";
import { addMember, listMembers, removeMember, setMemberRole, settingsKeys } from "./settings-api";

export function MembersPanel() {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: settingsKeys.members, queryFn: listMembers });
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.members });
  const changeRole = useMutation({
    mutationFn: (v: { userId: string; role: Role }) => setMemberRole(v.userId, v.role),
    onSuccess: () => void refresh(),
  });
  const remove = useMutation({ mutationFn: removeMember, onSuccess: () => void refresh() });
  const ids = { login: useId(), role: useId() };
  const [login, setLogin] = useState("");
  const [role, setRole] = useState<Role>("member");
  const add = useMutation({
    mutationFn: () => addMember(login.trim().replace(/^@/, ""), role),
    onSuccess: () => {
      setLogin("");
      void refresh();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (login.trim()) add.mutate();
  }

  if (members.isPending) return <Loading />;
  if (members.isError) return <ErrorState error={members.error} onRetry={() => void members.refetch()} />;
  if (!members.data.available) return <NotAvailable what="Members" />;
  return (
    <div>
      {members.data.value.length === 0 ? <EmptyState title="No members" /> : null}
      <ul className="list">
        {members.data.value.map((m) => (
          <li key={m.userId} className="list-row">
            <span>
              {m.name}
              {m.login ? <span className="muted small"> @{m.login}</span> : null}
              {m.userId === me.user.id ? <span className="muted small"> (you)</span> : null}
            </span>
            <label className="visually-hidden" htmlFor={`role-${m.userId}`}>
              Role of {m.name}
            </label>
            <select
              id={`role-${m.userId}`}
              value={m.role}
              disabled={m.userId === me.user.id || changeRole.isPending}
              onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-ghost"
              disabled={m.userId === me.user.id}
              onClick={() => remove.mutate(m.userId)}
              aria-label={`Remove ${m.name}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="form inline-form" onSubmit={submit}>
        <Field id={ids.login} label="GitHub login">
          <input
            id={ids.login}
            value={login}
            maxLength={40}
            onChange={(e) => setLogin(e.target.value)}
            placeholder="octocat"
          />
        </Field>
        <Field id={ids.role} label="Role">
          <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button button-primary" disabled={add.isPending || !login.trim()}>
          Add member
        </button>
      </form>
      <p className="muted small">People must have signed in to Nightshift once before they can be added.</p>
      <FormError error={changeRole.error ?? remove.error ?? add.error} />
    </div>
  );
}
