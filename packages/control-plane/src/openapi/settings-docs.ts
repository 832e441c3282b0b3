/** OpenAPI descriptions of tenant settings, model accounts and warm start. */
import {
  AgentDefaults,
  AgentDefaultsView,
  BudgetSettings,
  ListModelAccountsResponse,
  ListTenantModelAccountsResponse,
  ModelAccountMeta,
  ModelProvider,
  ModelSettings,
  PutEgressSettingsRequest,
  PutModelAccountRequest,
  PutTenantModelAccountRequest,
  PutWarmStartRequest,
  RebuildWarmStartRequest,
  RebuildWarmStartResponse,
  SandboxSettings,
  SandboxSettingsView,
  TenantModelAccountMeta,
  TenantModelAccountQuery,
  TenantSettings,
  WarmStartView,
} from "@nightshift/protocol";
import { noContent, type RouteDoc, type RouteDocs, T } from "./route-doc";

const read = (summary: string, schema: RouteDoc["body"], tag = "settings"): RouteDoc => ({
  summary,
  tag,
  access: "tenant",
  responses: { 200: { description: "the current value", ...(schema ? { schema } : {}) } },
});

const write = (summary: string, body: RouteDoc["body"], schema: RouteDoc["body"]): RouteDoc => ({
  summary,
  tag: "settings",
  access: "tenant",
  ...(body ? { body } : {}),
  responses: { 200: { description: "the stored value", ...(schema ? { schema } : {}) } },
});

const provider = { provider: ModelProvider };

/** The caller's own model accounts, at /api/v1/me/... and under a tenant path. */
function myModelAccountDocs(): RouteDocs {
  const out: RouteDocs = {};
  for (const prefix of ["/api/v1", T]) {
    out[`GET ${prefix}/me/model-accounts`] = read(
      "The caller's own model accounts in this tenant (masked)",
      ListModelAccountsResponse,
      "model-accounts",
    );
    out[`PUT ${prefix}/me/model-accounts/:provider`] = {
      summary: "Set the caller's own key or subscription token for a provider",
      tag: "model-accounts",
      access: "tenant",
      params: provider,
      body: PutModelAccountRequest,
      responses: {
        200: { description: "replaced", schema: ModelAccountMeta },
        201: { description: "created", schema: ModelAccountMeta },
      },
    };
    out[`DELETE ${prefix}/me/model-accounts/:provider`] = {
      summary: "Remove the caller's own account for a provider",
      tag: "model-accounts",
      access: "tenant",
      params: provider,
      responses: noContent("removed"),
    };
  }
  return out;
}

export const settingsDocs: RouteDocs = {
  [`GET ${T}/settings`]: read("The tenant's settings (egress allow-list)", TenantSettings),
  [`PUT ${T}/settings/egress`]: write(
    "Replace the sandbox egress allow-list (admins)",
    PutEgressSettingsRequest,
    TenantSettings,
  ),
  [`GET ${T}/settings/model`]: read("The model gateway's upstream settings (admins)", ModelSettings),
  [`PUT ${T}/settings/model`]: write(
    "Set the model gateway's upstream settings",
    ModelSettings,
    ModelSettings,
  ),
  [`GET ${T}/settings/budget`]: read("Spend caps (admins)", BudgetSettings),
  [`PUT ${T}/settings/budget`]: write("Set spend caps", BudgetSettings, BudgetSettings),
  [`GET ${T}/settings/sandbox`]: read(
    "Which sandbox provider runs the tenant's sessions",
    SandboxSettingsView,
  ),
  [`PUT ${T}/settings/sandbox`]: write(
    "Choose the sandbox provider (admins)",
    SandboxSettings,
    SandboxSettingsView,
  ),
  [`GET ${T}/settings/agents`]: read("Default agent and default model per agent", AgentDefaultsView),
  [`PUT ${T}/settings/agents`]: write(
    "Set the default agent and models (admins)",
    AgentDefaults,
    AgentDefaultsView,
  ),
  ...myModelAccountDocs(),
  [`GET ${T}/settings/model-accounts`]: read(
    "The tenant's model accounts (masked)",
    ListTenantModelAccountsResponse,
    "model-accounts",
  ),
  [`PUT ${T}/settings/model-accounts/:provider`]: {
    summary: "Set a tenant model account, tenant-wide or for one repository (`?repo=`) (admins)",
    tag: "model-accounts",
    access: "tenant",
    params: provider,
    query: TenantModelAccountQuery,
    body: PutTenantModelAccountRequest,
    responses: {
      200: { description: "replaced", schema: TenantModelAccountMeta },
      201: { description: "created", schema: TenantModelAccountMeta },
    },
  },
  [`DELETE ${T}/settings/model-accounts/:provider`]: {
    summary: "Remove a tenant model account",
    tag: "model-accounts",
    access: "tenant",
    params: provider,
    query: TenantModelAccountQuery,
    responses: noContent("removed"),
  },
  [`GET ${T}/warm-start`]: read("Warm start per repository", WarmStartView, "warm-start"),
  [`PUT ${T}/warm-start`]: {
    summary: "Turn warm start on or off for a repository (admins)",
    tag: "warm-start",
    access: "tenant",
    body: PutWarmStartRequest,
    responses: { 200: { description: "warm start now", schema: WarmStartView } },
  },
  [`POST ${T}/warm-start/rebuild`]: {
    summary: "Rebuild a repository's warm snapshot (admins)",
    tag: "warm-start",
    access: "tenant",
    body: RebuildWarmStartRequest,
    responses: { 202: { description: "rebuild started", schema: RebuildWarmStartResponse } },
  },
};
