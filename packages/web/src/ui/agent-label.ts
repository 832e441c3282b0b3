/** An agent as people know it ("Codex"), from the catalog; a name the catalog lacks shows as it came. */
import { AGENT_CATALOG, type AgentName } from "@nightshift/protocol";

export function agentLabel(agent: string): string {
  return Object.hasOwn(AGENT_CATALOG, agent) ? AGENT_CATALOG[agent as AgentName].displayName : agent;
}
