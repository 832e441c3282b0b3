/** The tenant's egress allow-list (members read it, owners and admins replace it). */
import { TenantSettings } from "@nightshift/protocol";
import { apiRequest, tenantPath } from "../api/http-client";

export const egressKeys = { settings: ["settings", "tenant"] as const };

export const getTenantSettings = () => apiRequest(tenantPath("/settings"), TenantSettings);

export const putEgressAllowHosts = (allowHosts: string[]) =>
  apiRequest(tenantPath("/settings/egress"), TenantSettings, { method: "PUT", body: { allowHosts } });
