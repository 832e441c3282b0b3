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
