import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Signs in through the local dev login (loopback only) and returns headers for API calls. */
export interface Credentials {
  /** Cookie + Origin (the CSRF check) for HTTP and WebSocket requests. */
  headers: Record<string, string>;
  tenantId: string;
}

/** Without a login this signs in the local owner; with one, a member of that name. */
export async function devLogin(baseUrl: string, login?: string): Promise<Credentials> {
  const res = await fetch(`${baseUrl}/auth/dev-login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify(login ? { login } : {}),
  });
  if (!res.ok) throw new Error(`dev login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter(Boolean)
    .join("; ");
  if (!cookie) throw new Error("dev login set no cookie");
  const headers = { cookie, origin: baseUrl };
  const me = (await (await fetch(`${baseUrl}/api/v1/me`, { headers })).json()) as {
    tenants?: { id: string }[];
  };
  const tenantId = me.tenants?.[0]?.id;
  if (!tenantId) throw new Error("the dev user belongs to no tenant");
  return { headers, tenantId };
}

/**
 * Secrets for a local control plane kept in `dir/secrets.json`, created once, so a persistent
 * local database keeps opening the secrets stored in it across restarts.
 */
export function persistentLocalSecrets(dir: string): Record<string, string> {
  const file = join(dir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const secrets = localSecrets();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Random secrets for a throw-away local control plane. */
export function localSecrets(): Record<string, string> {
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  return {
    SESSION_SECRET: `${crypto.randomUUID()}${crypto.randomUUID()}`,
    SANDBOX_TOKEN_SECRET: `${crypto.randomUUID()}${crypto.randomUUID()}`,
    SECRETS_MASTER_KEYS: `local-1:${key}`,
    NIGHTSHIFT_DEV_LOGIN: "1",
  };
}
