/**
 * The agents a session can run on: `GET /api/v1/tenants/:tenant/agents` (what the deployment
 * runs, the tenant's default marked, each agent's default and offered models). A Worker without
 * that route (404) predates the choice: every catalog agent is offered, Claude Code first.
 */
import { AGENT_CATALOG, AGENTS, type AgentListing, ListAgentsResponse } from "@nightshift/protocol";
import { ApiError, apiRequest, tenantPath } from "../api/http-client";

export const agentsKey = ["agents"] as const;

/** Every agent of the catalog with its catalog defaults, the first the default. */
export function catalogAgents(): ListAgentsResponse {
  const [first] = AGENTS;
  return {
    agents: AGENTS.map(
      (agent): AgentListing => ({
        agent,
        displayName: AGENT_CATALOG[agent].displayName,
        providers: [...AGENT_CATALOG[agent].providers],
        defaultModel: AGENT_CATALOG[agent].defaultModel,
        models: [...AGENT_CATALOG[agent].models],
        isDefault: agent === first,
      }),
    ),
    defaultAgent: first,
  };
}

export async function fetchAgents(signal?: AbortSignal): Promise<ListAgentsResponse> {
  try {
    return await apiRequest(tenantPath("/agents"), ListAgentsResponse, signal ? { signal } : {});
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound) return catalogAgents();
    throw err;
  }
}
