/**
 * Which key and which base URL a gateway call goes upstream with. The key: the tenant's model-key
 * secret (a repository secret of that name over the tenant-wide one; an admin-only one only for
 * sessions an admin started, as for sandbox secrets), else the deployment's Worker secret. The base
 * URL: the tenant's model setting, else the deployment's, else the provider's public API.
 */
import { MODEL_KEY_SECRET_NAMES, type ModelProvider } from "@nightshift/protocol";
import { IsolateCache } from "../cache/isolate-cache";
import { openDatabase } from "../db/client";
import type { GatewaySettings } from "../db/repositories/gateway-settings";
import { listSealedSecretsForRepo } from "../db/repositories/secrets";
import { findMembership } from "../db/repositories/tenancy";
import type { Bindings } from "../env";
import type { SandboxCaller } from "../sandbox-auth/sandbox-caller";
import { loadKeyring } from "../secrets/keyring";
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
>;

export interface Upstream {
  baseUrl: string;
  /** Null: no key anywhere (a keyless self-hosted model or local double). */
  key: string | null;
  /** Where the key came from, for the audit of a refusal; never the key. */
  keySource: "tenant" | "deployment" | "none";
}

/**
 * A tenant key is reused by this isolate for this long, so a model call does not decrypt on every
 * request; a rotated or deleted key stops being used within this window.
 */
const KEY_CACHE_TTL_MS = 10_000;
const KEY_CACHE_MAX = 1_000;
const keyCache = new IsolateCache<string | null>({ ttlMs: KEY_CACHE_TTL_MS, maxEntries: KEY_CACHE_MAX });

function tenantKey(env: GatewayEnv, caller: SandboxCaller, provider: ModelProvider): Promise<string | null> {
  const repoKey = repoKeyOf(caller.repo);
  const cacheKey = `${caller.tenantId}\n${repoKey}\n${caller.userId}\n${provider}`;
  return keyCache.getOrLoad(cacheKey, () => loadTenantKey(env, caller, provider, repoKey));
}

async function loadTenantKey(
  env: GatewayEnv,
  caller: SandboxCaller,
  provider: ModelProvider,
  repoKey: string,
): Promise<string | null> {
  const db = openDatabase(env.DB);
  const name = MODEL_KEY_SECRET_NAMES[provider];
  const rows = (await listSealedSecretsForRepo(db, caller.tenantId, repoKey)).filter((r) => r.name === name);
  let usable = rows;
  if (rows.some((r) => r.adminOnly)) {
    const membership = await findMembership(db, caller.tenantId, caller.userId);
    const admin = membership !== null && roleAtLeast(membership.role, "admin");
    if (!admin) usable = rows.filter((r) => !r.adminOnly);
  }
  const row = usable.find((r) => r.scope === "repo") ?? usable.find((r) => r.scope === "tenant");
  let key: string | null = null;
  if (row) {
    const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
    const [value] = await openSecrets(db, ring, caller.tenantId, [
      {
        address: { tenantId: caller.tenantId, scope: row.scope, repoKey: row.repoKey, name: row.name },
        ciphertext: row.ciphertext,
      },
    ]);
    key = value ?? null;
  }
  return key;
}

export async function chooseUpstream(
  env: GatewayEnv,
  caller: SandboxCaller,
  provider: ModelProvider,
  settings: GatewaySettings,
): Promise<Upstream> {
  const spec = PROVIDERS[provider];
  const baseUrl = settings.model.baseUrls[provider] ?? env[spec.baseUrlEnv] ?? spec.publicBaseUrl;
  const fromTenant = await tenantKey(env, caller, provider);
  if (fromTenant) return { baseUrl, key: fromTenant, keySource: "tenant" };
  const fromDeployment = env[spec.keyEnv];
  if (fromDeployment) return { baseUrl, key: fromDeployment, keySource: "deployment" };
  return { baseUrl, key: null, keySource: "none" };
}
