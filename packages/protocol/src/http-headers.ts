/**
 * Header names every hop that relays HTTP for a sandbox drops (the host's egress proxy, the
 * runtime's model relay, the control plane's model gateway), declared once so they cannot drift.
 */

/** Meaningful for one connection only (RFC 9110 §7.6.1), never passed to the next hop. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Where a model CLI or a sandbox puts its credential; a relay replaces them, never forwards them. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "x-api-key",
  "x-goog-api-key",
  "cookie",
]);

/**
 * A `Retry-After` header as whole seconds from now (the Worker sends seconds; an HTTP date is read
 * too); undefined when absent, unreadable or not in the future.
 */
export function retryAfterSeconds(header: string | null | undefined): number | undefined {
  const raw = header?.trim();
  if (!raw) return undefined;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Math.ceil((Date.parse(raw) - Date.now()) / 1000);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
