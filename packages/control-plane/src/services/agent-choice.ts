/**
 * Choosing a session's agent and model. The deployment decides which agents exist
 * (agents/availability.ts, SANDBOX_AGENTS); owners and admins pick the tenant's default agent and
 * a default model per agent (audited); members read them and list the agents. A session's agent
 * and model are resolved once, when it is created, and kept with it:
 *   agent: the request's → the tenant default → the deployment's first;
 *   model: the request's → the tenant's default for that agent → the catalog's default.
 * An agent the deployment cannot run fails the create with agent_unavailable, never a turn.
 */
import {
  AGENT_CATALOG,
  type AgentDefaults,
  type AgentDefaultsView,
  type AgentListing,
  type AgentName,
  type ListAgentsResponse,
} from "@nightshift/protocol";
import { availableAgents, deploymentDefaultAgent } from "../agents/availability";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import { putAgentDefaults, readAgentDefaults } from "../db/repositories/agent-settings";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";

type ChoiceEnv = Pick<Bindings, "DB" | "SANDBOX_AGENTS">;

export interface AgentChoice {
  agent: AgentName;
  model: string;
}

/** The refusal for an agent this deployment lacks, naming the ones it has. */
function unavailable(agent: AgentName, available: AgentName[], where: string): AppError {
  const can = available.map((a) => `${a} (${AGENT_CATALOG[a].displayName})`).join(", ");
  return new AppError(
    "agent_unavailable",
    `this deployment cannot run the agent ${agent}${where}; it can run: ${can}`,
    [{ path: "agent", message: `${agent} is not available here (available: ${available.join(", ")})` }],
  );
}

/**
 * The agent and model a new session gets (pure: the tenant's defaults are passed in). A tenant
 * default the deployment can no longer run is refused, named, rather than silently swapped: the
 * tenant chose it, and an admin should see that it is gone.
 */
export function chooseAgent(
  asked: { agent?: AgentName | undefined; model?: string | undefined },
  defaults: AgentDefaults,
  available: AgentName[],
): AgentChoice {
  const agent = asked.agent ?? defaults.agent ?? (available[0] as AgentName);
  if (!available.includes(agent)) {
    const where = asked.agent
      ? ""
      : " (the tenant's default agent; an admin can change it in Settings → Agents)";
    throw unavailable(agent, available, where);
  }
  return { agent, model: asked.model ?? defaultModelOf(agent, defaults) };
}

function defaultModelOf(agent: AgentName, defaults: AgentDefaults): string {
  return defaults.models[agent] ?? AGENT_CATALOG[agent].defaultModel;
}

/** Resolved at create, before anything is written: a refused agent leaves no trace. */
export async function resolveAgentChoice(
  env: ChoiceEnv,
  tenantId: string,
  asked: { agent?: AgentName | undefined; model?: string | undefined },
): Promise<AgentChoice> {
  const available = availableAgents(env);
  const needsDefaults = !asked.agent || !asked.model;
  const defaults = needsDefaults
    ? (await readAgentDefaults(openDatabase(env.DB), tenantId)).settings
    : { models: {} };
  return chooseAgent(asked, defaults, available);
}

function listingOf(agent: AgentName, defaults: AgentDefaults, defaultAgent: AgentName): AgentListing {
  const info = AGENT_CATALOG[agent];
  const defaultModel = defaultModelOf(agent, defaults);
  return {
    agent,
    displayName: info.displayName,
    providers: [...info.providers],
    defaultModel,
    models: [defaultModel, ...info.models.filter((m) => m !== defaultModel)],
    isDefault: agent === defaultAgent,
  };
}

/** GET /api/v1/agents: what this deployment runs, with this tenant's defaults applied. */
export async function listAgents(env: ChoiceEnv, actor: Actor): Promise<ListAgentsResponse> {
  const available = availableAgents(env);
  const { settings } = await readAgentDefaults(openDatabase(env.DB), actor.tenantId);
  // A tenant default the deployment dropped is not offered; creating without an agent says why.
  const defaultAgent =
    settings.agent && available.includes(settings.agent) ? settings.agent : (available[0] as AgentName);
  return {
    agents: available.map((agent) => listingOf(agent, settings, defaultAgent)),
    defaultAgent,
  };
}

function viewOf(env: ChoiceEnv, settings: AgentDefaults, updatedAt: string | null): AgentDefaultsView {
  return {
    settings,
    available: availableAgents(env),
    deploymentDefault: deploymentDefaultAgent(env),
    updatedAt,
  };
}

export async function getAgentDefaults(env: ChoiceEnv, actor: Actor): Promise<AgentDefaultsView> {
  const stored = await readAgentDefaults(openDatabase(env.DB), actor.tenantId);
  return viewOf(env, stored.settings, stored.updatedAt);
}

/** Replaces the tenant's defaults (owners and admins; the route policy checks the role). */
export async function setAgentDefaults(
  env: ChoiceEnv,
  actor: Actor,
  value: AgentDefaults,
): Promise<AgentDefaultsView> {
  const available = availableAgents(env);
  if (value.agent && !available.includes(value.agent)) throw unavailable(value.agent, available, "");
  const db = openDatabase(env.DB);
  const now = new Date().toISOString();
  await putAgentDefaults(db, actor.tenantId, value, actor.userId, now);
  await recordAudit(db, actor.tenantId, actor, {
    action: "settings.agents_changed",
    target: { type: "tenant", id: actor.tenantId },
    detail: {
      agent: value.agent ?? "deployment default",
      models: Object.entries(value.models)
        .map(([agent, model]) => `${agent}=${model}`)
        .join(",")
        .slice(0, 2000),
    },
  });
  return viewOf(env, value, now);
}
