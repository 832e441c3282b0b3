/**
 * The one cookie policy for this site's own cookies: HttpOnly, SameSite=Lax, path `/`, and
 * Secure with the `__Host-` prefix everywhere except plain http on loopback (local development).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { usesSecureCookies } from "./request-origin";

/** The cookie's name as sent: `__Host-<base>` when the cookie is Secure. */
export function siteCookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

function attributes(c: Context) {
  const secure = usesSecureCookies(c.req.raw);
  return { secure, httpOnly: true, sameSite: "Lax" as const, path: "/" };
}

export function readSiteCookie(c: Context, base: string): string | undefined {
  return getCookie(c, siteCookieName(base, usesSecureCookies(c.req.raw)));
}

export function writeSiteCookie(c: Context, base: string, value: string, maxAgeS: number): void {
  const attrs = attributes(c);
  setCookie(c, siteCookieName(base, attrs.secure), value, { ...attrs, maxAge: maxAgeS });
}

export function clearSiteCookie(c: Context, base: string): void {
  const attrs = attributes(c);
  deleteCookie(c, siteCookieName(base, attrs.secure), attrs);
}
