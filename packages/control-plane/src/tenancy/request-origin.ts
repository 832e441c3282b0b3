/**
 * Where a request comes from: loopback checks for the dev login, the site's own origin, and the
 * Origin check that stops cross-site requests riding on a session cookie (CSRF).
 */
import type { Context } from "hono";
import { AppError } from "../http/app-error";
import type { AuthConfig } from "./auth-config";

export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

export function isLoopbackAddress(ip: string): boolean {
  const a = ip.trim().toLowerCase();
  return a === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(a);
}

/**
 * True only when both the peer address and the URL's host are loopback. workerd (wrangler dev)
 * fills CF-Connecting-IP with the peer address; Cloudflare's edge sets it to the real client, so
 * a deployed Worker never sees loopback here. A request without it is not trusted as local.
 */
export function isLoopbackRequest(req: Request): boolean {
  const peer = req.headers.get("cf-connecting-ip");
  return peer !== null && isLoopbackAddress(peer) && isLoopbackHostname(new URL(req.url).hostname);
}

/** The site's origin: PUBLIC_URL when configured (behind a proxy the request URL may differ). */
export function siteOrigin(config: AuthConfig, req: Request): string {
  return new URL(config.publicUrl ?? req.url).origin;
}

/** Cookies are Secure everywhere except plain http on a loopback host (local development). */
export function usesSecureCookies(req: Request): boolean {
  const url = new URL(req.url);
  return url.protocol === "https:" || !isLoopbackHostname(url.hostname);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(req: Request): boolean {
  return !SAFE_METHODS.has(req.method) || req.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * Refuses a cookie-authenticated write (or WebSocket upgrade) unless its Origin is this site or
 * an allowed dashboard origin. Browsers always send Origin on such requests; its absence means
 * the request did not come from a page we served.
 */
export function assertSameOrigin(c: Context, config: AuthConfig): void {
  const origin = c.req.header("origin");
  const allowed =
    origin !== undefined &&
    (origin === siteOrigin(config, c.req.raw) || config.allowedOrigins.includes(origin));
  if (!allowed) {
    throw new AppError(
      "forbidden",
      "cross-site request refused: a request authenticated by the session cookie must come from this site (Origin header); scripts should use an API key",
    );
  }
}
