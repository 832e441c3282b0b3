/** API keys: create (the key is shown once, here, and never again), list, revoke. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { Field, FormError } from "./form-fields";
import { NotAvailable } from "./not-available";
import { createApiKey, listApiKeys, revokeApiKey, settingsKeys } from "./settings-api";

export function ApiKeysPanel() {
  const queryClient = useQueryClient();
  const nameId = useId();
  const keys = useQuery({ queryKey: settingsKeys.apiKeys, queryFn: listApiKeys });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys });
  const create = useMutation({
    mutationFn: createApiKey,
    onSuccess: (res) => {
      setCreated(res.key);
      setCopied(false);
      setName("");
      void refresh();
    },
  });
  const revoke = useMutation({ mutationFn: revokeApiKey, onSuccess: () => void refresh() });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (name.trim()) create.mutate(name.trim());
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  if (keys.isPending) return <Loading />;
  if (keys.isError) return <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />;
  if (!keys.data.available) return <NotAvailable what="API keys" />;
  const active = keys.data.value.filter((k) => !k.revokedAt);
  return (
    <div>
      {created ? (
        <div className="card callout" role="status">
          <p>
            <strong>Copy this key now.</strong> It will not be shown again.
          </p>
          <code className="secret-once">{created}</code>
          <div className="form-actions">
            <button type="button" className="button" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className="button button-ghost" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {active.length === 0 ? (
        <EmptyState title="No API keys" />
      ) : (
        <ul className="list">
          {active.map((k) => (
            <li key={k.id} className="list-row">
              <span>
                {k.name}
                <code className="small"> {k.prefix}…</code>
                <span className="muted small"> · {k.role}</span>
              </span>
              <span className="muted small">
                {k.lastUsedAt ? `used ${new Date(k.lastUsedAt).toLocaleString()}` : "never used"}
              </span>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => revoke.mutate(k.id)}
                aria-label={`Revoke API key ${k.name}`}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form inline-form" onSubmit={submit}>
        <Field id={nameId} label="New key name">
          <input
            id={nameId}
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            placeholder="ci-bot"
          />
        </Field>
        <button type="submit" className="button button-primary" disabled={create.isPending || !name.trim()}>
          Create key
        </button>
      </form>
      <FormError error={create.error ?? revoke.error} />
    </div>
  );
}
