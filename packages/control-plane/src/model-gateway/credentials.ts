/**
 * Which credential and which base URL a gateway call goes upstream with. The credential, first
 * found wins:
 *   1. the session creator's own model account for the provider in this tenant (a subscription
 *      token only for Claude Code sessions: it is a credential for Anthropic's own client);
 *   2. the tenant's model-key secret (a repository's over the tenant-wide one; an admin-only one
 *      only for sessions an admin started, as for sandbox secrets);
 *   3. the deployment's Worker secret.
 * The base URL: the tenant's model setting, else the deployment's, else the provider's public API.
 * A base URL the tenant chose receives only the tenant's own key: never the deployment's (any
 * signed-in user can create a tenant and point it at a host they run) and never a member's own
 * account (an admin's proxy must not collect members' personal keys).
 */
import {
  type AgentName,
  MODEL_KEY_SECRET_NAMES,
  type ModelAccountKind,
  type ModelAccountSource,
  type ModelProvider,
} from "@nightshift/protocol";
import { IsolateCache } from "../cache/isolate-cache";
import { type Database, openDatabase } from "../db/client";
import type { GatewaySettings } from "../db/repositories/gateway-settings";
import { findSealedUserAccount } from "../db/repositories/model-accounts";
import { listSealedSecretsForRepo } from "../db/repositories/secrets";
import { findMembership } from "../db/repositories/tenancy";
import type { Bindings } from "../env";
import { openUserAccount } from "../model-accounts/account-vault";
import type { SandboxCaller } from "../sandbox-auth/sandbox-caller";
import { type Keyring, loadKeyring } from "../secrets/keyring";
import { repoKeyOf } from "../secrets/sandbox-secrets";
import { openSecrets } from "../secrets/tenant-vault";
import { roleAtLeast } from "../tenancy/permissions";
import { PROVIDERS } from "./providers";

export type GatewayEnv = Pick<
  Bindings,
  | "DB"
  | "SECRETS_MASTER_KEYS"
  | "ANTHROPIC_API_KEY"
  | "ANTHROPIC_BASE_URL"
  | "OPENAI_API_KEY"
  | "OPENAI_BASE_URL"
  | "GEMINI_API_KEY"
  | "GEMINI_BASE_URL"
  | "ALLOW_SUBSCRIPTION_TOKENS"
>;

export interface Upstream {
  baseUrl: string;
  /** Null: no key anywhere (a keyless self-hosted model or local double). */
  key: string | null;
  /** How the key is presented upstream (a subscription token is a Bearer token with a beta flag). */
  keyKind: ModelAccountKind;
  /** Whose credential it is, recorded with the call's usage; never the key. */
  keySource: ModelAccountSource;
}

/** The only agent a Claude subscription token is used for. */
const SUBSCRIPTION_AGENT: AgentName = "claude-code";

/** Whether this deployment accepts Claude subscription tokens as model accounts (opt-in, see env.ts). */
export function subscriptionTokensAllowed(env: Pick<Bindings, "ALLOW_SUBSCRIPTION_TOKENS">): boolean {
  return env.ALLOW_SUBSCRIPTION_TOKENS === "1";
}

interface StoredCredential {
  key: string;
  kind: ModelAccountKind;
  source: "user" | "tenant";
}

/**
 * A stored credential is reused by this isolate for this long, so a model call does not decrypt on
 * every request. Writes through the model-accounts API clear it at once (in this isolate); other
 * isolates stop using a rotated or deleted credential within this window.
 */
const KEY_CACHE_TTL_MS = 10_000;
const KEY_CACHE_MAX = 1_000;
const keyCache = new IsolateCache<StoredCredential | null>({
  ttlMs: KEY_CACHE_TTL_MS,
  maxEntries: KEY_CACHE_MAX,
});

/** After a model account or model-key secret changed: the next call reads the database again. */
export function forgetCachedModelKeys(): void {
  keyCache.clear();
}

function storedCredential(
  env: GatewayEnv,
  caller: SandboxCaller,
  provider: ModelProvider,
  withUserAccount: boolean,
): Promise<StoredCredential | null> {
  const repoKey = repoKeyOf(caller.repo);
  const cacheKey = [caller.tenantId, repoKey, caller.userId, caller.agent, provider, withUserAccount].join(
    "\n",
  );
  return keyCache.getOrLoad(cacheKey, () =>
    loadStoredCredential(env, caller, provider, repoKey, withUserAccount),
  );
}

async function loadStoredCredential(
  env: GatewayEnv,
  caller: SandboxCaller,
  provider: ModelProvider,
  repoKey: string,
  withUserAccount: boolean,
): Promise<StoredCredential | null> {
  const db = openDatabase(env.DB);
  let membership: Promise<Awaited<ReturnType<typeof findMembership>>> | undefined;
  const creatorMembership = () => {
    membership ??= findMembership(db, caller.tenantId, caller.userId);
    return membership;
  };
  let ring: Promise<Keyring> | undefined;
  const keyring = () => {
    ring ??= loadKeyring(env.SECRETS_MASTER_KEYS);
    return ring;
  };
  return (
    (withUserAccount
      ? await userCredential(db, keyring, caller, provider, creatorMembership, subscriptionTokensAllowed(env))
      : null) ?? (await tenantCredential(db, keyring, caller, provider, repoKey, creatorMembership))
  );
}

/** The session creator's own account, while they are still a member of the session's tenant. */
async function userCredential(
  db: Database,
  keyring: () => Promise<Keyring>,
  caller: SandboxCaller,
  provider: ModelProvider,
  creatorMembership: () => ReturnType<typeof findMembership>,
  allowSubscription: boolean,
): Promise<StoredCredential | null> {
  const row = await findSealedUserAccount(db, caller.tenantId, caller.userId, provider);
  if (!row) return null;
  const kind = row.kind as ModelAccountKind;
  // A token stored while the deployment allowed them is not used once it stops allowing them.
  if (kind === "subscription_token" && (!allowSubscription || caller.agent !== SUBSCRIPTION_AGENT))
    return null;
  if (!(await creatorMembership())) return null;
  return { key: await openUserAccount(db, await keyring(), row), kind, source: "user" };
}

async function tenantCredential(
  db: Database,
  keyring: () => Promise<Keyring>,
  caller: SandboxCaller,
  provider: ModelProvider,
  repoKey: string,
  creatorMembership: () => ReturnType<typeof findMembership>,
): Promise<StoredCredential | null> {
  const name = MODEL_KEY_SECRET_NAMES[provider];
  const rows = (await listSealedSecretsForRepo(db, caller.tenantId, repoKey)).filter((r) => r.name === name);
  let usable = rows;
  if (rows.some((r) => r.adminOnly)) {
    const membership = await creatorMembership();
    const admin = membership !== null && roleAtLeast(membership.role, "admin");
    if (!admin) usable = rows.filter((r) => !r.adminOnly);
  }
  const row = usable.find((r) => r.scope === "repo") ?? usable.find((r) => r.scope === "tenant");
  if (!row) return null;
  const [value] = await openSecrets(db, await keyring(), caller.tenantId, [
    {
      address: { tenantId: caller.tenantId, scope: row.scope, repoKey: row.repoKey, name: row.name },
      ciphertext: row.ciphertext,
    },
  ]);
  return value ? { key: value, kind: "api_key", source: "tenant" } : null;
}

export async function chooseUpstream(
  env: GatewayEnv,
  caller: SandboxCaller,
  provider: ModelProvider,
  settings: GatewaySettings,
): Promise<Upstream> {
  const spec = PROVIDERS[provider];
  const tenantBaseUrl = settings.model.baseUrls[provider];
  const baseUrl = tenantBaseUrl ?? env[spec.baseUrlEnv] ?? spec.publicBaseUrl;
  const stored = await storedCredential(env, caller, provider, tenantBaseUrl === undefined);
  if (stored) return { baseUrl, key: stored.key, keyKind: stored.kind, keySource: stored.source };
  // The tenant's own endpoint without a key of the tenant's: called keyless (a self-hosted model).
  if (tenantBaseUrl !== undefined) return { baseUrl, key: null, keyKind: "api_key", keySource: "none" };
  const fromDeployment = env[spec.keyEnv];
  if (fromDeployment) return { baseUrl, key: fromDeployment, keyKind: "api_key", keySource: "deployment" };
  return { baseUrl, key: null, keyKind: "api_key", keySource: "none" };
}
