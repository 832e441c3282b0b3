/**
 * HMAC-SHA256 as lowercase hex, for checking the webhook signatures Slack and Linear send (Web
 * Crypto, so it runs in workerd). Compared with hono's `timingSafeEqual`, as the rest of the
 * Worker compares secrets.
 */

const encoder = new TextEncoder();

/** The lowercase hex HMAC-SHA256 of `parts` joined. */
export async function hmacSha256Hex(secret: string, parts: Uint8Array[]): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const message = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    message.set(part, at);
    at += part.length;
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}
