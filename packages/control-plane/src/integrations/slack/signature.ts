/**
 * Slack's v0 request signature: hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's
 * signing secret, in `X-Slack-Signature: v0=<hex>`; a timestamp more than five minutes from now
 * is refused as a possible replay. During a rotation the previous secret is accepted too.
 */

const WINDOW_SECONDS = 5 * 60;
const encoder = new TextEncoder();

export type SignatureVerdict = "valid" | "stale" | "invalid";

async function hmacHex(secret: string, parts: Uint8Array[]): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const total = parts.reduce((n, p) => n + p.length, 0);
  const message = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    message.set(part, at);
    at += part.length;
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return encoder.encode(`v0=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
}

/** Constant-time over equal lengths; a length mismatch says nothing about the content. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export async function verifySlackSignature(
  secrets: string[],
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: Uint8Array,
  nowMs: number,
): Promise<SignatureVerdict> {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^[0-9]{1,12}$/.test(timestamp)) return "invalid";
  const given = encoder.encode(signature.trim().toLowerCase());
  const prefix = encoder.encode(`v0:${timestamp}:`);
  let matched = false;
  // Every secret is tried, so the time taken does not say which one matched.
  for (const secret of secrets) {
    if (sameBytes(await hmacHex(secret, [prefix, rawBody]), given)) matched = true;
  }
  if (!matched) return "invalid";
  return Math.abs(nowMs / 1000 - Number(timestamp)) > WINDOW_SECONDS ? "stale" : "valid";
}
