/**
 * Choosing a session's agent and model: the agents a deployment can run (GET /api/v1/agents) and
 * a tenant's defaults (GET/PUT /api/v1/tenants/:tenantId/settings/agents). A session created
 * without an agent takes the tenant's default agent, else the deployment's first; without a
 * model, the tenant's default model for that agent, else the agent's catalog default.
 */
import { z } from "zod";
import { AgentName, ModelId } from "./api.ts";
import { ModelProvider } from "./model-gateway.ts";

/** One agent this deployment can run, as pickers show it. */
export const AgentListing = z.object({
  agent: AgentName,
  displayName: z.string(),
  /** Model APIs the CLI can be pointed at (through the model gateway). */
  providers: z.array(ModelProvider),
  /** What a session of this tenant on this agent gets when it names no model. */
  defaultModel: z.string(),
  /** Offered in pickers, default first; any other model id may still be typed. */
  models: z.array(z.string()),
  /** The agent a session of this tenant gets when it names none. */
  isDefault: z.boolean(),
});
export type AgentListing = z.infer<typeof AgentListing>;

/** GET /api/v1/agents: the agents this deployment can run, in its order, and the tenant's default. */
export const ListAgentsResponse = z.object({
  agents: z.array(AgentListing),
  defaultAgent: AgentName,
});
export type ListAgentsResponse = z.infer<typeof ListAgentsResponse>;

/**
 * A tenant's defaults, replaced whole by PUT: the agent a session gets when it names none, and
 * per agent the model it gets when it names none. Unset entries fall back to the deployment's
 * first agent and the catalog's default model.
 */
export const AgentDefaults = z.strictObject({
  agent: AgentName.optional(),
  models: z.partialRecord(AgentName, ModelId).default({}),
});
export type AgentDefaults = z.infer<typeof AgentDefaults>;

/** GET (and the PUT's answer): the defaults, what this deployment can run, and its own default. */
export const AgentDefaultsView = z.object({
  settings: AgentDefaults,
  available: z.array(AgentName),
  /** The first agent of the deployment's SANDBOX_AGENTS: what sessions get where the tenant chose nothing. */
  deploymentDefault: AgentName,
  updatedAt: z.string().nullable(),
});
export type AgentDefaultsView = z.infer<typeof AgentDefaultsView>;
