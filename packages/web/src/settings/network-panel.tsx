/**
 * Network: the hosts this tenant's sandboxes may reach beyond what a session needs (the model
 * API, the git host, package registries). One DNS pattern per line; `*.example.com` covers its
 * subdomains. Admins edit it; members see what their sandboxes may reach.
 */
import { EgressSettings } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ErrorState, Loading } from "../ui/states";
import { egressKeys, getTenantSettings, putEgressAllowHosts } from "./egress-api";
import { Field, FormError } from "./form-fields";

function linesOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export function NetworkPanel({ editable }: { editable: boolean }) {
  const queryClient = useQueryClient();
  const fieldId = useId();
  const settings = useQuery({ queryKey: egressKeys.settings, queryFn: getTenantSettings });
  const [draft, setDraft] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: putEgressAllowHosts,
    onSuccess: (saved) => {
      queryClient.setQueryData(egressKeys.settings, saved);
      setDraft(null);
    },
  });

  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  const hosts = settings.data.egress.allowHosts;
  const text = draft ?? hosts.join("\n");

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = EgressSettings.safeParse({ allowHosts: linesOf(text) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const line = typeof issue?.path[1] === "number" ? linesOf(text)[issue.path[1]] : undefined;
      return setFormError(`${line ? `"${line}": ` : ""}${issue?.message ?? "not a valid host pattern"}`);
    }
    setFormError(null);
    save.mutate(parsed.data.allowHosts);
  }

  return (
    <div>
      <p className="muted">
        Sandboxes reach only what a session needs: the model API, the git host and package registries. Hosts
        listed here are allowed too. Loopback, link-local and private addresses never are.
      </p>
      {editable ? (
        <form className="form" onSubmit={submit}>
          <Field id={fieldId} label="Allowed hosts (one per line)">
            <textarea
              id={fieldId}
              rows={6}
              value={text}
              onChange={(e) => setDraft(e.target.value)}
              placeholder={"registry.example.com\n*.internal-mirror.example.com:8443"}
              spellCheck={false}
            />
          </Field>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            Save allowed hosts
          </button>
        </form>
      ) : hosts.length === 0 ? (
        <p>No extra hosts are allowed.</p>
      ) : (
        <ul className="list" aria-label="Allowed hosts">
          {hosts.map((h) => (
            <li key={h} className="list-row">
              <code>{h}</code>
            </li>
          ))}
        </ul>
      )}
      <FormError message={formError} error={save.error} />
    </div>
  );
}
