/** Signs in through the local dev login (loopback only) and returns headers for API calls. */
export interface Credentials {
  /** Cookie + Origin (the CSRF check) for HTTP and WebSocket requests. */
  headers: Record<string, string>;
  tenantId: string;
}

export async function devLogin(baseUrl: string, login = "dev"): Promise<Credentials> {
  const res = await fetch(`${baseUrl}/auth/dev-login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ login }),
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
