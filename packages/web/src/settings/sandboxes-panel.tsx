/**
 * Sandboxes: which provider runs this tenant's sessions. A tenant default (or the deployment's)
 * and per-repository overrides, among the providers this deployment can run. A session keeps the
 * provider it was created on. Admins edit; members see the choice.
 */
import { RepoKey, type SandboxProviderName, type SandboxSettings } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { providerLabel } from "../ui/sandbox-provider";
import { ErrorState, Loading } from "../ui/states";
import { DeploymentChoiceSelect, Field, FormError } from "./form-fields";
import { getSandboxSettings, putSandboxSettings, sandboxKeys } from "./sandbox-api";

/** What a person types as a repository: `owner/name` for GitHub, or the full key. */
function repoKeyOf(text: string): string {
  const trimmed = text.trim();
  if (/^[^:/\s]+\/[^/\s]+$/.test(trimmed)) return `github:${trimmed}`.toLowerCase();
  return trimmed.startsWith("github:") ? trimmed.toLowerCase() : trimmed;
}

export function SandboxesPanel({ editable }: { editable: boolean }) {
  const queryClient = useQueryClient();
  const ids = { provider: useId(), repo: useId(), repoProvider: useId() };
  const query = useQuery({ queryKey: sandboxKeys.settings, queryFn: getSandboxSettings });
  const [draft, setDraft] = useState<SandboxSettings | null>(null);
  const [newRepo, setNewRepo] = useState("");
  const [newProvider, setNewProvider] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: putSandboxSettings,
    onSuccess: (saved) => {
      queryClient.setQueryData(sandboxKeys.settings, saved);
      setDraft(null);
    },
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const view = query.data;
  const settings = draft ?? view.settings;
  const overrides = Object.entries(settings.repositories).sort(([a], [b]) => a.localeCompare(b));
  const tenantDefault = settings.provider ?? view.deploymentDefault;
  const firstAvailable = view.available[0] ?? "";

  function setProvider(provider: string) {
    const { provider: _, ...rest } = settings;
    setDraft(provider ? { ...rest, provider: provider as SandboxProviderName } : rest);
  }

  function addOverride(e: FormEvent) {
    e.preventDefault();
    const key = repoKeyOf(newRepo);
    const parsed = RepoKey.safeParse(key);
    if (!parsed.success) return setFormError(`"${newRepo.trim()}": ${parsed.error.issues[0]?.message}`);
    const provider = (newProvider || firstAvailable) as SandboxProviderName;
    setFormError(null);
    setDraft({ ...settings, repositories: { ...settings.repositories, [key]: provider } });
    setNewRepo("");
  }

  function removeOverride(key: string) {
    const { [key]: _, ...repositories } = settings.repositories;
    setDraft({ ...settings, repositories });
  }

  const intro = (
    <p className="muted">
      Sessions run on {providerLabel(tenantDefault)}
      {settings.provider ? "" : " (this deployment's default)"} unless a repository is listed below. A session
      keeps the provider it started on. This deployment can run:{" "}
      {view.available.length > 0 ? view.available.map(providerLabel).join(", ") : "no provider yet"}.
    </p>
  );

  if (!editable) {
    return (
      <div>
        {intro}
        {overrides.length === 0 ? (
          <p>No repository has its own provider.</p>
        ) : (
          <ul className="list" aria-label="Repository providers">
            {overrides.map(([repo, provider]) => (
              <li key={repo} className="list-row">
                <code>{repo}</code> · {providerLabel(provider)}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }

  return (
    <div>
      {intro}
      <div className="form">
        <Field id={ids.provider} label="Tenant default provider">
          <DeploymentChoiceSelect
            id={ids.provider}
            value={settings.provider ?? ""}
            available={view.available}
            deploymentDefault={view.deploymentDefault}
            labelOf={providerLabel}
            onChange={setProvider}
          />
        </Field>
      </div>
      <h2 className="small">Per repository</h2>
      {overrides.length === 0 ? (
        <p className="muted">No repository has its own provider.</p>
      ) : (
        <ul className="list" aria-label="Repository providers">
          {overrides.map(([repo, provider]) => (
            <li key={repo} className="list-row">
              <code>{repo}</code> · {providerLabel(provider)}{" "}
              <button type="button" className="button" onClick={() => removeOverride(repo)}>
                Remove {repo}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={addOverride}>
        <Field id={ids.repo} label="Repository">
          <input
            id={ids.repo}
            value={newRepo}
            onChange={(e) => setNewRepo(e.target.value)}
            placeholder="acme/widgets"
            spellCheck={false}
          />
        </Field>
        <Field id={ids.repoProvider} label="Provider for it">
          <DeploymentChoiceSelect
            id={ids.repoProvider}
            value={newProvider || firstAvailable}
            available={view.available}
            labelOf={providerLabel}
            onChange={setNewProvider}
          />
        </Field>
        <button type="submit" className="button" disabled={view.available.length === 0}>
          Add override
        </button>
      </form>
      <button
        type="button"
        className="button button-primary"
        disabled={save.isPending || draft === null}
        onClick={() => save.mutate(settings)}
      >
        Save sandbox settings
      </button>
      <FormError message={formError} error={save.error} />
    </div>
  );
}
