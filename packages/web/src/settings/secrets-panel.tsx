/** Secrets: write-only. Names and times are listed; a value can be replaced, never read back. */
import { isModelKeySecretName, PutSecretRequest, SecretName } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import {
  AdminsOnlyField,
  Field,
  FormError,
  RepositoryScopeField,
  repositoryScopeOf,
  WriteOnlyInput,
} from "./form-fields";
import { NotAvailable } from "./not-available";
import { deleteSecret, listSecrets, putSecret, settingsKeys } from "./settings-api";

export function SecretsPanel() {
  const queryClient = useQueryClient();
  const ids = { name: useId(), value: useId(), repo: useId(), adminOnly: useId() };
  const secrets = useQuery({ queryKey: settingsKeys.secrets, queryFn: listSecrets });
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [repo, setRepo] = useState("");
  const [adminOnly, setAdminOnly] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.secrets });
  const save = useMutation({
    mutationFn: (v: { name: string; value: string; repo: string | null; adminOnly: boolean }) =>
      putSecret(v.name, v.value, v.repo, v.adminOnly),
    onSuccess: () => {
      setName("");
      setValue("");
      setRepo("");
      setAdminOnly(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (v: { name: string; repo: string | null }) => deleteSecret(v.name, v.repo),
    onSuccess: () => void refresh(),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsedName = SecretName.safeParse(name.trim());
    if (!parsedName.success)
      return setFormError(`Name: ${parsedName.error.issues[0]?.message ?? "is not valid"}`);
    const parsedValue = PutSecretRequest.safeParse({ value });
    if (!parsedValue.success)
      return setFormError(`Value ${parsedValue.error.issues[0]?.message ?? "is not valid"}`);
    const scope = repositoryScopeOf(repo);
    if ("error" in scope) return setFormError(scope.error);
    setFormError(null);
    save.mutate({ name: parsedName.data, value, repo: scope.repo, adminOnly });
  }

  if (secrets.isPending) return <Loading />;
  if (secrets.isError) return <ErrorState error={secrets.error} onRetry={() => void secrets.refetch()} />;
  if (!secrets.data.available) return <NotAvailable what="Secrets" />;
  return (
    <div>
      <p className="muted">
        Secrets are injected into every sandbox as environment variables and redacted from the stream. Values
        cannot be read back. Anyone who can start a session can have the agent print a secret it gets: mark a
        secret for admins' sessions only to keep it out of members' sessions. Model keys (ANTHROPIC_API_KEY,
        OPENAI_API_KEY, GEMINI_API_KEY) are the exception: the control plane's model gateway uses them and
        sandboxes never receive them.
      </p>
      {secrets.data.value.length === 0 ? (
        <EmptyState title="No secrets yet" />
      ) : (
        <ul className="list">
          {secrets.data.value.map((s) => (
            <li key={`${s.repo ?? ""}/${s.name}`} className="list-row">
              <code>{s.name}</code>
              <span className="muted small">
                {" · "}
                {isModelKeySecretName(s.name)
                  ? "model credential — used by the gateway, never sent to sandboxes"
                  : "sandbox environment (masked)"}
              </span>
              {s.repo ? <span className="muted small"> · {s.repo}</span> : null}
              {s.adminOnly ? <span className="muted small"> · admins' sessions only</span> : null}
              <span className="muted small">
                {s.updatedAt ? ` · updated ${new Date(s.updatedAt).toLocaleString()}` : ""}
              </span>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => remove.mutate({ name: s.name, repo: s.repo })}
                aria-label={`Delete secret ${s.name}`}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form inline-form" onSubmit={submit}>
        <Field id={ids.name} label="Name">
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value.toUpperCase())}
            autoComplete="off"
          />
        </Field>
        <Field id={ids.value} label="Value">
          <WriteOnlyInput id={ids.value} value={value} onChange={setValue} />
        </Field>
        <RepositoryScopeField id={ids.repo} value={repo} onChange={setRepo} />
        <AdminsOnlyField id={ids.adminOnly} checked={adminOnly} onChange={setAdminOnly}>
          Admins' sessions only (members' sessions never get it)
        </AdminsOnlyField>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save secret
        </button>
      </form>
      <FormError message={formError} error={save.error ?? remove.error} />
    </div>
  );
}
