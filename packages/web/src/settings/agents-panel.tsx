/**
 * Agents: which agent CLI a session runs when it names none, and per agent the model it gets when
 * it names none, among the agents this deployment runs. A session keeps the agent and model it
 * was created with. Admins edit; members see the choice.
 */
import { AGENT_CATALOG, AgentDefaults, type AgentDefaultsView, type AgentName } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { agentsKey } from "../new-session/agents-api";
import { agentLabel } from "../ui/agent-label";
import { ErrorState, Loading } from "../ui/states";
import { agentDefaultsKeys, getAgentDefaults, putAgentDefaults } from "./agents-api";
import { DeploymentChoiceSelect, Field, FormError } from "./form-fields";

/** What the form holds: the agent ("" = the deployment's) and a model per agent ("" = the catalog's). */
interface Draft {
  agent: string;
  models: Partial<Record<AgentName, string>>;
}

function draftOf(view: AgentDefaultsView): Draft {
  return { agent: view.settings.agent ?? "", models: { ...view.settings.models } };
}

/** The form as the API takes it: blank models dropped, checked by the protocol's own schema. */
function settingsOf(draft: Draft) {
  const models = Object.fromEntries(Object.entries(draft.models).filter(([, m]) => m?.trim()));
  return AgentDefaults.safeParse({ ...(draft.agent ? { agent: draft.agent } : {}), models });
}

function ModelField({
  agent,
  value,
  onChange,
}: {
  agent: AgentName;
  value: string;
  onChange(v: string): void;
}) {
  const id = useId();
  const listId = useId();
  const info = AGENT_CATALOG[agent];
  return (
    <Field id={id} label={`Default model for ${info.displayName}`}>
      <input
        id={id}
        list={listId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={`${info.defaultModel} (catalog default)`}
        maxLength={200}
        spellCheck={false}
      />
      <datalist id={listId}>
        {info.models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
    </Field>
  );
}

export function AgentsPanel({ editable }: { editable: boolean }) {
  const queryClient = useQueryClient();
  const agentId = useId();
  const query = useQuery({ queryKey: agentDefaultsKeys.settings, queryFn: getAgentDefaults });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: putAgentDefaults,
    onSuccess: (saved) => {
      queryClient.setQueryData(agentDefaultsKeys.settings, saved);
      // The new-session picker preselects the tenant's default: let it read the new one.
      void queryClient.invalidateQueries({ queryKey: agentsKey });
      setDraft(null);
    },
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const view = query.data;
  const current = draft ?? draftOf(view);
  const defaultAgent = current.agent || view.deploymentDefault;

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = settingsOf(current);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setFormError(`${issue?.path.join(".") || "form"}: ${issue?.message ?? "is not valid"}`);
      return;
    }
    setFormError(null);
    save.mutate(parsed.data);
  }

  const intro = (
    <p className="muted">
      Sessions that name no agent run on {agentLabel(defaultAgent)}
      {current.agent ? "" : " (this deployment's default)"}. A session keeps the agent and model it started
      with. This deployment can run: {view.available.map(agentLabel).join(", ")}.
    </p>
  );

  if (!editable) {
    const chosen = Object.entries(view.settings.models);
    return (
      <div>
        {intro}
        {chosen.length === 0 ? (
          <p>Every agent uses its catalog default model.</p>
        ) : (
          <ul className="list" aria-label="Default models">
            {chosen.map(([agent, model]) => (
              <li key={agent} className="list-row">
                {agentLabel(agent)} · <code>{model}</code>
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
      <form className="form" onSubmit={submit} noValidate>
        <Field id={agentId} label="Default agent">
          <DeploymentChoiceSelect
            id={agentId}
            value={current.agent}
            available={view.available}
            deploymentDefault={view.deploymentDefault}
            labelOf={agentLabel}
            onChange={(agent) => setDraft({ ...current, agent })}
          />
        </Field>
        {view.available.map((agent) => (
          <ModelField
            key={agent}
            agent={agent}
            value={current.models[agent] ?? ""}
            onChange={(model) => setDraft({ ...current, models: { ...current.models, [agent]: model } })}
          />
        ))}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending || draft === null}>
            Save agent settings
          </button>
        </div>
      </form>
      <FormError message={formError} error={save.error} />
    </div>
  );
}
