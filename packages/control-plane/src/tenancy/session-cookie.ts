/**
 * The browser session: a jose-signed HS256 JWT in an HttpOnly, SameSite=Lax cookie (Secure and
 * `__Host-` prefixed outside localhost). The JWT lives an hour and is re-issued once half used;
 * it names a sign-in row (`sid`) so logout revokes it, and the row's absolute end caps refreshes.
 */
import type { Context } from "hono";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { clearSiteCookie, readSiteCookie, siteCookieName, writeSiteCookie } from "./site-cookie";

export const SESSION_TOKEN_TTL_S = 60 * 60;
export const SESSION_REFRESH_AFTER_S = SESSION_TOKEN_TTL_S / 2;
export const SIGN_IN_MAX_AGE_S = 7 * 24 * 60 * 60;

const ISSUER = "nightshift";
const AUDIENCE = "nightshift-session";

const COOKIE = "nightshift_session";

export function sessionCookieName(secure: boolean): string {
  return siteCookieName(COOKIE, secure);
}

const Claims = z.object({
  sub: z.string().min(1),
  sid: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type SessionClaims = z.infer<typeof Claims>;

export async function signSessionToken(
  key: Uint8Array,
  who: { userId: string; sid: string },
  nowS: number,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = nowS + SESSION_TOKEN_TTL_S;
  const token = await new SignJWT({ sid: who.sid })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(who.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowS)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAt };
}

/**
 * The claims of a valid, unexpired token we signed; null for anything else (never throws).
 * `forLogout` also accepts a token expired within the sign-in's lifetime, so logging out after
 * a quiet hour still revokes the sign-in.
 */
export async function verifySessionToken(
  key: Uint8Array,
  token: string,
  nowS: number,
  opts: { forLogout?: boolean } = {},
): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(nowS * 1000),
      clockTolerance: opts.forLogout ? SIGN_IN_MAX_AGE_S : 0,
    });
    const claims = Claims.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}

export function readSessionCookie(c: Context): string | undefined {
  return readSiteCookie(c, COOKIE);
}

export function writeSessionCookie(c: Context, token: string, expiresAt: number, nowS: number): void {
  writeSiteCookie(c, COOKIE, token, Math.max(0, expiresAt - nowS));
}

export function clearSessionCookie(c: Context): void {
  clearSiteCookie(c, COOKIE);
}
