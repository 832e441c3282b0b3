/**
 * An organization's Linear tokens: sealed with the tenant's envelope (secrets/envelope.ts), bound
 * to the tenant and the organization so a sealed token copied to another row does not open. A call
 * made with them refreshes the access token shortly before it expires, and once more if Linear
 * refuses it anyway (revoked early, clock skew); a second refusal is the caller's error.
 */
import { openDatabase } from "../../db/client";
import { type LinearInstallationRow, updateLinearTokens } from "../../db/repositories/linear";
import type { Bindings } from "../../env";
import type { SecretAddress } from "../../secrets/envelope";
import { loadKeyring } from "../../secrets/keyring";
import { openSecrets, sealSecret } from "../../secrets/tenant-vault";
import { LinearApiError, type LinearTokens, requestTokens } from "./api-client";
import { requireLinearOAuth } from "./config";

/** Refresh this long before the access token's expiry, so a call never starts with a dying token. */
const REFRESH_MARGIN_MS = 5 * 60_000;

function addressOf(tenantId: string, organizationId: string, kind: "access" | "refresh"): SecretAddress {
  return { tenantId, scope: "tenant", repoKey: "", name: `linear.${kind}_token.${organizationId}` };
}

export interface SealedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number | null;
}

export async function sealTokens(
  env: Bindings,
  tenantId: string,
  organizationId: string,
  tokens: LinearTokens,
): Promise<SealedTokens> {
  const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
  const db = openDatabase(env.DB);
  return {
    accessToken: await sealSecret(
      db,
      ring,
      addressOf(tenantId, organizationId, "access"),
      tokens.accessToken,
    ),
    refreshToken: tokens.refreshToken
      ? await sealSecret(db, ring, addressOf(tenantId, organizationId, "refresh"), tokens.refreshToken)
      : null,
    expiresAt: tokens.expiresAt,
  };
}

async function openTokens(env: Bindings, row: LinearInstallationRow): Promise<LinearTokens> {
  const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
  const sealed = [
    { address: addressOf(row.tenantId, row.organizationId, "access"), ciphertext: row.accessToken },
  ];
  if (row.refreshToken)
    sealed.push({
      address: addressOf(row.tenantId, row.organizationId, "refresh"),
      ciphertext: row.refreshToken,
    });
  const [accessToken, refreshToken] = await openSecrets(openDatabase(env.DB), ring, row.tenantId, sealed);
  if (!accessToken) throw new Error("the Linear access token did not open");
  return { accessToken, refreshToken: refreshToken ?? null, expiresAt: row.expiresAt };
}

async function refresh(env: Bindings, row: LinearInstallationRow, refreshToken: string): Promise<string> {
  const config = requireLinearOAuth(env);
  const fresh = await requestTokens(config.apiUrl, config, { refreshToken }, Date.now());
  // Linear rotates refresh tokens; one it did not rotate stays valid.
  const tokens = { ...fresh, refreshToken: fresh.refreshToken ?? refreshToken };
  const sealed = await sealTokens(env, row.tenantId, row.organizationId, tokens);
  await updateLinearTokens(openDatabase(env.DB), row.tenantId, row.organizationId, sealed);
  row.accessToken = sealed.accessToken;
  row.refreshToken = sealed.refreshToken;
  row.expiresAt = sealed.expiresAt;
  return tokens.accessToken;
}

/**
 * Starts opening the tokens (a D1 read and the envelope's decryptions) for a call made a moment
 * later, so the read overlaps the caller's other lookups; a failure surfaces in that call.
 */
export function prefetchLinearTokens(env: Bindings, row: LinearInstallationRow): Promise<LinearTokens> {
  const opened = openTokens(env, row);
  opened.catch(() => undefined);
  return opened;
}

/**
 * Runs `call` with a live access token: refreshed before expiry, and once on a refusal. `opened`
 * is a prefetch of the same row's tokens (prefetchLinearTokens).
 */
export async function withLinearToken<T>(
  env: Bindings,
  row: LinearInstallationRow,
  call: (token: string) => Promise<T>,
  opened?: Promise<LinearTokens>,
): Promise<T> {
  const tokens = await (opened ?? openTokens(env, row));
  let token = tokens.accessToken;
  const expiring = tokens.expiresAt !== null && tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS;
  if (expiring && tokens.refreshToken) token = await refresh(env, row, tokens.refreshToken);
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof LinearApiError) || error.kind !== "auth" || !tokens.refreshToken) throw error;
    const reopened = await openTokens(env, row);
    return call(await refresh(env, row, reopened.refreshToken ?? tokens.refreshToken));
  }
}
