/**
 * HMAC-SHA256 as lowercase hex and a constant-time byte comparison, for checking the webhook
 * signatures Slack and Linear send (Web Crypto, so it runs in workerd).
 */

const encoder = new TextEncoder();

/** The lowercase hex HMAC-SHA256 of `parts` joined, as bytes ready for `sameBytes`. */
export async function hmacSha256Hex(secret: string, parts: Uint8Array[]): Promise<Uint8Array> {
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
  return encoder.encode([...mac].map((b) => b.toString(16).padStart(2, "0")).join(""));
}

/** Constant-time over equal lengths; a length mismatch says nothing about the content. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
