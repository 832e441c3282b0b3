/** The tenant's agent defaults (members read them, owners and admins replace them). */
import { type AgentDefaults, AgentDefaultsView } from "@nightshift/protocol";
import { apiRequest, tenantPath } from "../api/http-client";

export const agentDefaultsKeys = { settings: ["settings", "agents"] as const };

export const getAgentDefaults = () => apiRequest(tenantPath("/settings/agents"), AgentDefaultsView);

export const putAgentDefaults = (settings: AgentDefaults) =>
  apiRequest(tenantPath("/settings/agents"), AgentDefaultsView, { method: "PUT", body: settings });
