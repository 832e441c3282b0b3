/**
 * The agent picker and model field, shared by the new-session form and the automation form: the
 * agents this deployment runs (the tenant's default marked), and a model field that suggests the
 * chosen agent's offered models and takes any other id.
 */
import type { AgentName, ListAgentsResponse } from "@nightshift/protocol";
import { useId } from "react";

export function AgentModelFields({
  agents,
  agent,
  onAgentChange,
  model,
  onModelChange,
  defaultLabel,
  modelError,
}: {
  agents: ListAgentsResponse;
  /** null: the tenant's default, offered as its own choice only when `defaultLabel` is given. */
  agent: AgentName | null;
  onAgentChange(agent: AgentName | null): void;
  model: string;
  onModelChange(model: string): void;
  /** When set, an extra first choice that leaves the agent to the tenant's default at run time. */
  defaultLabel?: string;
  modelError?: string | undefined;
}) {
  const ids = { agent: useId(), model: useId(), models: useId(), modelError: useId() };
  const effective = agent ?? agents.defaultAgent;
  const listing = agents.agents.find((a) => a.agent === effective);

  function pickAgent(value: string) {
    const next = value === "" ? null : (value as AgentName);
    onAgentChange(next);
    // A model offered for the previous agent means nothing to the next one.
    const offered = agents.agents.find((a) => a.agent === (next ?? agents.defaultAgent))?.models ?? [];
    if (model.trim() && !offered.includes(model.trim())) onModelChange("");
  }

  return (
    <div className="field-row">
      <div className="field">
        <label htmlFor={ids.agent}>Agent</label>
        <select
          id={ids.agent}
          value={defaultLabel !== undefined ? (agent ?? "") : (effective ?? "")}
          onChange={(e) => pickAgent(e.target.value)}
        >
          {defaultLabel !== undefined ? <option value="">{defaultLabel}</option> : null}
          {agents.agents.map((a) => (
            <option key={a.agent} value={a.agent}>
              {a.displayName}
              {a.isDefault ? " (default)" : ""}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.model}>Model</label>
        <input
          id={ids.model}
          list={ids.models}
          value={model}
          onChange={(e) => onModelChange(e.target.value)}
          placeholder={listing ? `${listing.defaultModel} (default)` : "agent default"}
          maxLength={200}
          spellCheck={false}
          aria-invalid={modelError ? true : undefined}
          aria-describedby={modelError ? ids.modelError : undefined}
        />
        <datalist id={ids.models}>
          {(listing?.models ?? []).map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        {modelError ? (
          <span id={ids.modelError} className="field-error" role="alert">
            {modelError}
          </span>
        ) : null}
      </div>
    </div>
  );
}
