/**
 * Model accounts: the caller's own (per tenant, used only for sessions they start), the tenant's
 * (members list them, admins write), and the tenant's upstream base URL per provider (admins).
 * Values go in and never come back: lists carry provider, kind and a masked hint.
 */
import {
  ListModelAccountsResponse,
  ListTenantModelAccountsResponse,
  type ModelAccountKind,
  ModelAccountMeta,
  type ModelProvider,
  ModelSettings,
  TenantModelAccountMeta,
} from "@nightshift/protocol";
import { apiRequest, tenantPath } from "../api/http-client";

export const modelAccountKeys = {
  mine: ["settings", "model-accounts", "mine"] as const,
  tenant: ["settings", "model-accounts", "tenant"] as const,
  baseUrls: ["settings", "model"] as const,
};

const minePath = (provider?: ModelProvider) =>
  tenantPath(`/me/model-accounts${provider ? `/${provider}` : ""}`);

function tenantAccountPath(provider?: ModelProvider, repo?: string | null): string {
  const q = repo ? `?repo=${encodeURIComponent(repo)}` : "";
  return tenantPath(`/settings/model-accounts${provider ? `/${provider}` : ""}${q}`);
}

export const listMyAccounts = () => apiRequest(minePath(), ListModelAccountsResponse).then((r) => r.accounts);

export const putMyAccount = (provider: ModelProvider, kind: ModelAccountKind, value: string) =>
  apiRequest(minePath(provider), ModelAccountMeta, { method: "PUT", body: { kind, value } });

export const deleteMyAccount = (provider: ModelProvider) =>
  apiRequest(minePath(provider), null, { method: "DELETE" });

export const listTenantAccounts = () =>
  apiRequest(tenantAccountPath(), ListTenantModelAccountsResponse).then((r) => r.accounts);

/** `adminOnly` is left out when unticked, so replacing a value never widens who uses it. */
export const putTenantAccount = (v: {
  provider: ModelProvider;
  value: string;
  repo: string | null;
  adminOnly: boolean;
}) =>
  apiRequest(tenantAccountPath(v.provider, v.repo), TenantModelAccountMeta, {
    method: "PUT",
    body: v.adminOnly ? { value: v.value, adminOnly: true } : { value: v.value },
  });

export const deleteTenantAccount = (provider: ModelProvider, repo: string | null) =>
  apiRequest(tenantAccountPath(provider, repo), null, { method: "DELETE" });

export const getModelSettings = () => apiRequest(tenantPath("/settings/model"), ModelSettings);

export const putModelSettings = (settings: ModelSettings) =>
  apiRequest(tenantPath("/settings/model"), ModelSettings, { method: "PUT", body: settings });
