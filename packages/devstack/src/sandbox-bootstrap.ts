/**
 * What a sandbox is created with is a one-time bootstrap token, not a sandbox token (issue 13).
 * Rigs that play the runtime's part (no runtime runs) exchange it as the runtime would; rigs that
 * watch a real runtime (which spends the token itself) mint the sandbox token the exchange gives,
 * from the bootstrap token's claims and the stack's SANDBOX_TOKEN_SECRET.
 */
import { BootstrapResponse, SANDBOX_BOOTSTRAP_PATH } from "@nightshift/protocol";
import type { RecordedHostRequest } from "@nightshift/testkit/sandbox-host";
import { decodeJwt, SignJWT } from "jose";
import { waitUntil } from "./processes";

/** A create request's bootstrap token (the host's body: `{ env: { NIGHTSHIFT_BOOTSTRAP_TOKEN } }`), or "". */
export function bootstrapTokenOf(createBody: unknown): string {
  const env = (createBody as { env?: Record<string, unknown> } | null)?.env;
  const token = env?.NIGHTSHIFT_BOOTSTRAP_TOKEN;
  return typeof token === "string" ? token : "";
}

/** `POST /sandbox/bootstrap` as the runtime sends it: the runtime's environment, once per token. */
export async function exchangeBootstrapToken(
  controlPlaneUrl: string,
  bootstrapToken: string,
): Promise<Record<string, string>> {
  const res = await fetch(`${controlPlaneUrl.replace(/\/+$/, "")}${SANDBOX_BOOTSTRAP_PATH}`, {
    method: "POST",
    headers: { authorization: `Bearer ${bootstrapToken}` },
  });
  if (res.status !== 200)
    throw new Error(`the bootstrap exchange answered ${res.status}: ${await res.text()}`);
  return BootstrapResponse.parse(await res.json()).env;
}

/**
 * Plays the runtime of the sandbox the control plane asked the recording host for: waits for the
 * create request of `sessionId` (among the host's requests from `sinceRequest` on), exchanges its
 * bootstrap token, and returns the sandbox token the exchange hands out.
 */
export async function sandboxTokenFromHost(
  host: { requests: readonly RecordedHostRequest[] },
  controlPlaneUrl: string,
  sessionId: string,
  sinceRequest = 0,
): Promise<string> {
  let bootstrap = "";
  await waitUntil(
    `the control plane to ask for a sandbox for ${sessionId}`,
    async () => {
      const create = host.requests
        .slice(sinceRequest)
        .find(
          (r) => r.method === "POST" && (r.body as { sessionId?: string } | null)?.sessionId === sessionId,
        );
      bootstrap = bootstrapTokenOf(create?.body);
      return bootstrap !== "";
    },
    30_000,
  );
  const token = (await exchangeBootstrapToken(controlPlaneUrl, bootstrap)).NIGHTSHIFT_SANDBOX_TOKEN;
  if (!token) throw new Error("the bootstrap exchange gave no sandbox token");
  return token;
}

/** The sandbox token the exchange of `bootstrapToken` hands out (same session, tenant and incarnation). */
export async function sandboxTokenForBootstrap(bootstrapToken: string, secret: string): Promise<string> {
  const { sub, tenant, inc } = decodeJwt(bootstrapToken);
  if (typeof sub !== "string" || typeof tenant !== "string" || typeof inc !== "string")
    throw new Error("not a bootstrap token: it lacks its session, tenant or incarnation claim");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tenant })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("nightshift")
    .setAudience("sandbox")
    .setSubject(sub)
    .setJti(inc)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(secret));
}
