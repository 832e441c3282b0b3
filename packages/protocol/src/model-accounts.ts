/**
 * Model accounts: the credentials the model gateway calls a provider with. A user's own account
 * (per tenant, used only for sessions that user created) wins over the tenant's (a repository's,
 * then the tenant-wide one), which wins over the deployment's key. Values are write-only: the API
 * answers with the provider, the kind and a masked hint, never the value.
 */
import { z } from "zod";
import { ModelAccountSource, ModelProvider } from "./model-gateway.ts";
import { RepoKey } from "./tenancy.ts";

export { ModelAccountSource };

/**
 * api_key: the provider's API key (sent as its API expects: x-api-key, Bearer, x-goog-api-key).
 * subscription_token: a Claude subscription token from `claude setup-token` (Anthropic only), sent
 * as `Authorization: Bearer` with the OAuth beta flag, and only for Claude Code sessions.
 */
export const MODEL_ACCOUNT_KINDS = ["api_key", "subscription_token"] as const;
export const ModelAccountKind = z.enum(MODEL_ACCOUNT_KINDS);
export type ModelAccountKind = z.infer<typeof ModelAccountKind>;

/** What `claude setup-token` prints starts with this; Anthropic API keys start with `sk-ant-api`. */
export const CLAUDE_SUBSCRIPTION_TOKEN_PREFIX = "sk-ant-oat";

export const MODEL_ACCOUNT_VALUE_MIN = 8;
export const MODEL_ACCOUNT_VALUE_MAX = 4096;

/** A credential as pasted: surrounding whitespace is dropped, anything else unprintable refused. */
const AccountValue = z
  .string()
  .trim()
  .min(MODEL_ACCOUNT_VALUE_MIN, `must be at least ${MODEL_ACCOUNT_VALUE_MIN} characters`)
  .max(MODEL_ACCOUNT_VALUE_MAX, `must be at most ${MODEL_ACCOUNT_VALUE_MAX} characters`)
  // Printable ASCII without spaces: it goes into an HTTP header, where anything else breaks or smuggles.
  .regex(/^[\x21-\x7e]+$/, "must be one token of printable characters, without spaces or line breaks");

/** PUT /api/v1/me/model-accounts/:provider: the caller's own account for one provider. */
export const PutModelAccountRequest = z.strictObject({
  kind: ModelAccountKind.default("api_key"),
  value: AccountValue,
});
export type PutModelAccountRequest = z.infer<typeof PutModelAccountRequest>;

/** PUT /api/v1/tenants/:tenantId/settings/model-accounts/:provider[?repo=]: API keys only. */
export const PutTenantModelAccountRequest = z.strictObject({
  kind: z
    .literal("api_key", { message: "a tenant account holds an API key; subscriptions are personal" })
    .default("api_key"),
  value: AccountValue,
  /** Only sessions started by an owner or admin use it. Absent on an update keeps the setting. */
  adminOnly: z.boolean().optional(),
});
export type PutTenantModelAccountRequest = z.infer<typeof PutTenantModelAccountRequest>;

/**
 * Why `value` cannot be stored as a `kind` account for `provider`, in words for the person who
 * pasted it (never quoting the value), or null when it can.
 */
export function modelAccountProblem(
  provider: ModelProvider,
  kind: ModelAccountKind,
  value: string,
): string | null {
  const looksLikeSubscription = value.startsWith(CLAUDE_SUBSCRIPTION_TOKEN_PREFIX);
  if (kind === "subscription_token") {
    if (provider !== "anthropic")
      return `a subscription token is only accepted for anthropic, not ${provider}`;
    if (!looksLikeSubscription)
      return `a Claude subscription token starts with ${CLAUDE_SUBSCRIPTION_TOKEN_PREFIX} (run \`claude setup-token\`)`;
    return null;
  }
  if (provider === "anthropic" && looksLikeSubscription)
    return "this is a Claude subscription token, not an API key: store it with kind subscription_token";
  return null;
}

/** What is shown of a credential: its last four characters, only when it is long enough to hide the rest. */
export function modelAccountHint(value: string): string {
  return value.length >= 16 ? `…${value.slice(-4)}` : "…";
}

/** One of the caller's own accounts, as listed: never the value. */
export const ModelAccountMeta = z.object({
  provider: ModelProvider,
  kind: ModelAccountKind,
  hint: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ModelAccountMeta = z.infer<typeof ModelAccountMeta>;

export const ListModelAccountsResponse = z.object({ accounts: z.array(ModelAccountMeta) });
export type ListModelAccountsResponse = z.infer<typeof ListModelAccountsResponse>;

/** A tenant account: the tenant's model-key secret for a provider, tenant-wide or for one repository. */
export const TenantModelAccountMeta = ModelAccountMeta.extend({
  scope: z.enum(["tenant", "repo"]),
  repo: z.string().nullable(),
  adminOnly: z.boolean(),
});
export type TenantModelAccountMeta = z.infer<typeof TenantModelAccountMeta>;

export const ListTenantModelAccountsResponse = z.object({ accounts: z.array(TenantModelAccountMeta) });
export type ListTenantModelAccountsResponse = z.infer<typeof ListTenantModelAccountsResponse>;

/** `?repo=<RepoKey>` selects a repository's tenant account instead of the tenant-wide one. */
export const TenantModelAccountQuery = z.strictObject({ repo: RepoKey.optional() });
export type TenantModelAccountQuery = z.infer<typeof TenantModelAccountQuery>;
