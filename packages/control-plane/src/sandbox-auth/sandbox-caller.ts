/**
 * Who is calling a sandbox-facing HTTP route (the model gateway, the git proxy): the sandbox token
 * is taken from wherever the calling tool puts its credential, its JWT verified, and the session's
 * DO asked whether the token's incarnation is still the current one and the session still open.
 *
 * The result is a value, not a thrown error: each route renders a refusal in its own wire shape
 * (an Anthropic/OpenAI/Gemini error body for the gateway, a message git prints for the proxy).
 */
import type { RepoRef } from "@nightshift/protocol";
import { IsolateCache } from "../cache/isolate-cache";
import type { Bindings } from "../env";
import { sha256Hex } from "../secrets/encoding";
import type { RpcFailure } from "../session/rpc-types";
import { bearerToken, verifySandboxToken } from "./token";

export interface SandboxCaller {
  tenantId: string;
  sessionId: string;
  /** The user who created the session: usage and spend are attributed to them. */
  userId: string;
  repo: RepoRef;
  branch: string;
  agent: string;
  model: string | null;
  /** The session lets its pushes rewrite its own branch. */
  allowForcePush: boolean;
  /** SHA-256 of the token's jti: the sandbox incarnation the token belongs to. */
  incarnationHash: string;
}

export type SandboxCallerRefusal = {
  ok: false;
  status: 401 | 410;
  code: "unauthorized" | "session_ended";
  message: string;
};
export type SandboxCallerResult = { ok: true; caller: SandboxCaller } | SandboxCallerRefusal;

/**
 * How long a positive answer from the DO is reused by this isolate. Within this window a sandbox
 * whose session just ended (or whose incarnation was replaced) can still make calls; the JWT itself
 * (signature, expiry) is verified on every request, so an expired token is refused at once.
 */
export const CALLER_CACHE_TTL_MS = 10_000;
const CALLER_CACHE_MAX = 2_000;

const callerCache = new IsolateCache<SandboxCaller>({
  ttlMs: CALLER_CACHE_TTL_MS,
  maxEntries: CALLER_CACHE_MAX,
});

/** For tests that must see the DO's answer immediately (an ended session). */
export function forgetCachedCallers(): void {
  callerCache.clear();
}

function basicPassword(header: string | null): string | null {
  const m = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/);
  if (!m?.[1]) return null;
  try {
    const decoded = atob(m[1]);
    const colon = decoded.indexOf(":");
    return colon < 0 ? null : decoded.slice(colon + 1) || null;
  } catch {
    return null;
  }
}

/**
 * The sandbox token from `Authorization: Bearer`, `x-api-key` (Anthropic), `x-goog-api-key`
 * (Gemini) or the password of `Authorization: Basic` (git). Null when none is present.
 */
export function sandboxTokenOf(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  return (
    bearerToken(authorization) ??
    basicPassword(authorization) ??
    (headers.get("x-api-key")?.trim() || null) ??
    (headers.get("x-goog-api-key")?.trim() || null)
  );
}

function refuse(status: 401 | 410, message: string): SandboxCallerRefusal {
  return { ok: false, status, code: status === 410 ? "session_ended" : "unauthorized", message };
}

/** A sandbox token whose signature, expiry and claims checked out; the DO has not been asked yet. */
export interface VerifiedSandboxToken {
  ok: true;
  tenantId: string;
  sessionId: string;
  /** The token's jti: `<incarnation>` or `<incarnation>.<renewal>`. */
  jti: string;
  incarnationHash: string;
}

/** Finds the sandbox token in the headers and verifies it as a JWT (no DO call). */
export async function verifySandboxCallerToken(
  env: Pick<Bindings, "SANDBOX_TOKEN_SECRET">,
  headers: Headers,
): Promise<VerifiedSandboxToken | SandboxCallerRefusal> {
  const token = sandboxTokenOf(headers);
  if (!token)
    return refuse(
      401,
      "send this session's sandbox token (Authorization: Bearer, x-api-key or x-goog-api-key)",
    );
  if (!env.SANDBOX_TOKEN_SECRET)
    return refuse(401, "sandbox tokens are not configured on this control plane");
  const verified = await verifySandboxToken(env.SANDBOX_TOKEN_SECRET, token);
  if (!verified.ok) return refuse(401, verified.reason);
  const { tenantId, sessionId, jti } = verified.claims;
  return { ok: true, tenantId, sessionId, jti, incarnationHash: await sha256Hex(jti) };
}

/** The refusal a sandbox gets when the session's DO does not vouch for its incarnation. */
export function refusalOfSession(answer: RpcFailure): SandboxCallerRefusal {
  return answer.code === "session_closed"
    ? refuse(410, `${answer.message}; its sandbox token is no longer honoured`)
    : refuse(401, "this sandbox token is no longer valid for the session");
}

export async function authenticateSandboxCaller(
  env: Pick<Bindings, "SANDBOX_TOKEN_SECRET" | "SESSION_AGENT">,
  headers: Headers,
  now: () => number = Date.now,
): Promise<SandboxCallerResult> {
  const verified = await verifySandboxCallerToken(env, headers);
  if (!verified.ok) return verified;
  const { tenantId, sessionId, incarnationHash } = verified;
  // Keyed by the incarnation and the claims the signature vouches for, so a cached answer can only
  // serve a token that verified just now for the same tenant, session and incarnation.
  const key = `${tenantId}\n${sessionId}\n${incarnationHash}`;
  const cached = callerCache.get(key, now());
  if (cached) return { ok: true, caller: cached };

  const answer = await env.SESSION_AGENT.getByName(sessionId).sandboxCaller(tenantId, incarnationHash);
  if (!answer.ok) return refusalOfSession(answer);
  const caller: SandboxCaller = { tenantId, sessionId, incarnationHash, ...answer.value };
  callerCache.set(key, caller, now());
  return { ok: true, caller };
}
