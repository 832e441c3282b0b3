/**
 * Linear's webhook signature: `Linear-Signature` is the lowercase hex HMAC-SHA256 of the raw body
 * with the webhook's signing secret, and the body's `webhookTimestamp` (epoch ms) must be within a
 * minute of now, as Linear's own SDK checks, so a captured delivery cannot be replayed later.
 */

const WINDOW_MS = 60_000;
const encoder = new TextEncoder();

async function hmacHex(secret: string, body: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
  return encoder.encode([...mac].map((b) => b.toString(16).padStart(2, "0")).join(""));
}

/** Constant-time over equal lengths; a length mismatch says nothing about the content. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** The signature over the raw bytes (nothing parsed first); a valid one then has its timestamp checked. */
export async function verifyLinearSignature(
  secret: string,
  signature: string | undefined,
  rawBody: Uint8Array,
): Promise<boolean> {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature.trim())) return false;
  return sameBytes(await hmacHex(secret, rawBody), encoder.encode(signature.trim().toLowerCase()));
}

/** Whether a signed delivery's `webhookTimestamp` is within the replay window of `nowMs`. */
export function isFreshTimestamp(webhookTimestamp: unknown, nowMs: number): boolean {
  return (
    typeof webhookTimestamp === "number" &&
    Number.isFinite(webhookTimestamp) &&
    Math.abs(nowMs - webhookTimestamp) <= WINDOW_MS
  );
}

/** Signs a body as Linear does (the testkit sender and tests use the same algorithm). */
export async function signLinearBody(secret: string, rawBody: Uint8Array): Promise<string> {
  return new TextDecoder().decode(await hmacHex(secret, rawBody));
}
