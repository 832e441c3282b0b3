/**
 * The GitHub OAuth round trip's memory: the `state`, the PKCE verifier and where to land after
 * sign-in, in a signed, ten-minute, HttpOnly SameSite=Lax cookie. The callback must present the
 * same `state` GitHub echoed back, so a forged callback (login CSRF) has nothing to match.
 */
import type { Context } from "hono";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { randomBytes, toBase64Url } from "../secrets/encoding";
import { clearSiteCookie, readSiteCookie, writeSiteCookie } from "./site-cookie";

const TTL_S = 10 * 60;
const AUDIENCE = "nightshift-oauth-state";

const COOKIE = "nightshift_oauth";

const StateClaims = z.object({
  state: z.string().min(16),
  verifier: z.string().min(43),
  redirect: z.string(),
  /** Present when the round trip proves access to a GitHub App installation rather than signing in. */
  install: z
    .object({ tenantId: z.string(), userId: z.string(), installationId: z.number().int() })
    .optional(),
});
export type OAuthState = z.infer<typeof StateClaims>;

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return toBase64Url(new Uint8Array(digest));
}

export async function startOAuthState(
  c: Context,
  key: Uint8Array,
  redirect: string,
  install?: OAuthState["install"],
): Promise<OAuthState> {
  const state: OAuthState = {
    state: toBase64Url(randomBytes(24)),
    verifier: toBase64Url(randomBytes(48)),
    redirect,
    ...(install ? { install } : {}),
  };
  const token = await new SignJWT(state)
    .setProtectedHeader({ alg: "HS256" })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${TTL_S}s`)
    .sign(key);
  writeSiteCookie(c, COOKIE, token, TTL_S);
  return state;
}

/** Reads and clears the state cookie; null when missing, expired, forged or malformed. */
export async function takeOAuthState(c: Context, key: Uint8Array): Promise<OAuthState | null> {
  const token = readSiteCookie(c, COOKIE);
  if (!token) return null;
  clearSiteCookie(c, COOKIE);
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], audience: AUDIENCE });
    const parsed = StateClaims.safeParse(payload);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
