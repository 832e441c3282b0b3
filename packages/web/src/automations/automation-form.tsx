/**
 * Create or edit an automation: name, trigger, repository, agent and model, prompt template,
 * filter, dedupe key and limits. The draft is checked here first (the protocol's schema, the
 * filter and template parsers) and the server's 400 is spread over the same fields, each problem
 * beside its field with the position it names. The payload tester below tries the draft as it is.
 */
import { AUTOMATION_TEMPLATE_MAX, type AutomationInput } from "@nightshift/protocol";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { describeError } from "../api/http-client";
import { AgentModelFields } from "../new-session/agent-model-fields";
import { agentsKey, fetchAgents } from "../new-session/agents-api";
import { fetchRepos, reposKey } from "../new-session/repos-api";
import { RetryAfterNote, useRetryAfter } from "../ui/retry-after";
import { ErrorState, Loading } from "../ui/states";
import { FieldErrorText } from "./field-error";
import { FormField } from "./form-field";
import { buildInput, type Draft, type FieldErrors, fieldErrorsFromApi, templateRequired } from "./form-state";
import { PayloadTester } from "./payload-tester";
import { RepoFields } from "./repo-fields";
import { TriggerFields } from "./trigger-fields";

export function AutomationForm({
  initial,
  editing,
  saving,
  saveError,
  onSave,
  onCancel,
}: {
  initial: Draft;
  editing: boolean;
  saving: boolean;
  saveError: unknown;
  onSave(input: AutomationInput): void;
  onCancel(): void;
}) {
  const repos = useQuery({
    queryKey: reposKey,
    queryFn: ({ signal }) => fetchRepos(signal),
    staleTime: 60_000,
  });
  const agents = useQuery({
    queryKey: agentsKey,
    queryFn: ({ signal }) => fetchAgents(signal),
    staleTime: 60_000,
  });
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  // A failure that belongs to no field (the network, a 409, a 5xx), shown under the form.
  const [generalError, setGeneralError] = useState<string | null>(null);
  const retryIn = useRetryAfter(saveError);

  // The server's verdict replaces ours once it arrives; a new attempt clears both.
  useEffect(() => {
    if (!saveError) return;
    const placed = fieldErrorsFromApi(saveError);
    setErrors(placed);
    setGeneralError(Object.keys(placed).length === 0 ? describeError(saveError) : null);
  }, [saveError]);

  function change(patch: Partial<Draft>) {
    setDraft((d) => ({ ...d, ...patch }));
  }

  if (repos.isPending) return <Loading label="Loading repositories…" />;
  if (repos.isError) return <ErrorState error={repos.error} onRetry={() => void repos.refetch()} />;
  if (agents.isPending) return <Loading label="Loading agents…" />;
  if (agents.isError) return <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />;
  const repoList = repos.data;
  const defaultAgent = agents.data.agents.find((a) => a.agent === agents.data.defaultAgent);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (saving || retryIn > 0) return;
    const built = buildInput(draft, repoList);
    if (!built.ok) {
      setErrors(built.errors);
      setGeneralError(null);
      return;
    }
    setErrors({});
    setGeneralError(null);
    onSave(built.input);
  }

  return (
    <div className="automation-editor">
      <form className="card form" onSubmit={submit} noValidate aria-label="Automation">
        <FormField label="Name" error={errors.name}>
          {(control) => (
            <input
              {...control}
              value={draft.name}
              onChange={(e) => change({ name: e.target.value })}
              maxLength={100}
              placeholder="Fix failing nightly build"
            />
          )}
        </FormField>
        <TriggerFields draft={draft} errors={errors} onChange={change} kindLocked={editing} />
        <RepoFields draft={draft} errors={errors} repos={repoList} onChange={change} />
        <AgentModelFields
          agents={agents.data}
          agent={draft.agent}
          onAgentChange={(agent) => change({ agent })}
          model={draft.model}
          onModelChange={(model) => change({ model })}
          defaultLabel={`Tenant default${defaultAgent ? ` (${defaultAgent.displayName})` : ""}`}
          modelError={errors.model?.message}
        />
        <FormField
          label="Prompt template"
          hint={
            templateRequired(draft.triggerKind)
              ? "{{payload.path}} is replaced by the payload's value there, escaped and length-capped."
              : "Leave empty for the preset's own prompt; {{payload.path}} and {{preset.title}} substitute values."
          }
          error={errors.promptTemplate}
          source={draft.promptTemplate}
        >
          {(control) => (
            <textarea
              {...control}
              rows={6}
              value={draft.promptTemplate}
              onChange={(e) => change({ promptTemplate: e.target.value })}
              maxLength={AUTOMATION_TEMPLATE_MAX}
              placeholder="Fix the failing check on {{payload.branch}}: {{payload.message}}"
            />
          )}
        </FormField>
        <FormField
          label="Filter (optional)"
          hint='Runs only when it holds, e.g. payload.action == "opened" && payload.issue exists. Empty: always.'
          error={errors.filter}
          source={draft.filter}
        >
          {(control) => (
            <textarea
              {...control}
              className="mono"
              rows={2}
              value={draft.filter}
              onChange={(e) => change({ filter: e.target.value })}
              spellCheck={false}
            />
          )}
        </FormField>
        <FormField
          label="Dedupe key (optional)"
          hint="A payload path whose value identifies a delivery; empty: the webhook-id header (or the preset's own id)."
          error={errors.dedupeKey}
        >
          {(control) => (
            <input
              {...control}
              className="mono"
              value={draft.dedupeKey}
              onChange={(e) => change({ dedupeKey: e.target.value })}
              placeholder="payload.alert.id"
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </FormField>
        <div className="field-row">
          <FormField label="Max runs per hour" error={errors.maxRunsPerHour}>
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                max={1000}
                value={draft.maxRunsPerHour}
                onChange={(e) => change({ maxRunsPerHour: e.target.value })}
              />
            )}
          </FormField>
          <FormField label="Max concurrent sessions" error={errors.maxConcurrent}>
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                max={50}
                value={draft.maxConcurrent}
                onChange={(e) => change({ maxConcurrent: e.target.value })}
              />
            )}
          </FormField>
        </div>
        {editing ? null : (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => change({ enabled: e.target.checked })}
            />{" "}
            Enabled: starts taking deliveries right away
          </label>
        )}
        {errors.form ? (
          <FieldErrorText id="automation-form-error" error={errors.form} />
        ) : generalError ? (
          <p className="form-error" role="alert">
            {generalError}
          </p>
        ) : Object.keys(errors).length > 0 ? (
          <p className="form-error" role="alert">
            Fix the fields marked above.
          </p>
        ) : null}
        <div className="form-actions">
          <RetryAfterNote seconds={retryIn} />
          <button type="button" className="button button-ghost" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving || retryIn > 0}>
            {saving ? "Saving…" : editing ? "Save changes" : "Create automation"}
          </button>
        </div>
      </form>
      <PayloadTester target={{ kind: "draft", draft }} />
    </div>
  );
}
