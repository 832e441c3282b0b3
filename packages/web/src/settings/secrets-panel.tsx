/** Secrets: write-only. Names and times are listed; a value can be replaced, never read back. */
import { isModelKeySecretName, PutSecretRequest, RepoKey, SecretName } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "../api/http-client";
import { EmptyState, ErrorState, Loading } from "../ui/states";
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
    const parsedRepo = repo.trim() ? RepoKey.safeParse(repo.trim()) : null;
    if (parsedRepo && !parsedRepo.success) {
      return setFormError(`Repository: ${parsedRepo.error.issues[0]?.message ?? "is not valid"}`);
    }
    setFormError(null);
    save.mutate({ name: parsedName.data, value, repo: parsedRepo?.data ?? null, adminOnly });
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
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value.toUpperCase())}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.value}>Value</label>
          <input
            id={ids.value}
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="new-password"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.repo}>Repository (optional)</label>
          <input
            id={ids.repo}
            value={repo}
            onChange={(e) => setRepo(e.target.value)}
            placeholder="all repositories, or github:owner/name"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.adminOnly}>
            <input
              id={ids.adminOnly}
              type="checkbox"
              checked={adminOnly}
              onChange={(e) => setAdminOnly(e.target.checked)}
            />{" "}
            Admins' sessions only (members' sessions never get it)
          </label>
        </div>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save secret
        </button>
      </form>
      {formError || save.isError || remove.isError ? (
        <p className="form-error" role="alert">
          {formError ?? describeError(save.error ?? remove.error)}
        </p>
      ) : null}
    </div>
  );
}
