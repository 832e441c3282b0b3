/**
 * Linear's webhook signature: `Linear-Signature` is the lowercase hex HMAC-SHA256 of the raw body
 * with the webhook's signing secret, and the body's `webhookTimestamp` (epoch ms) must be within a
 * minute of now, as Linear's own SDK checks, so a captured delivery cannot be replayed later.
 */

import { timingSafeEqual } from "hono/utils/buffer";
import { hmacSha256Hex } from "../hmac";

const WINDOW_MS = 60_000;

/** The signature over the raw bytes (nothing parsed first); a valid one then has its timestamp checked. */
export async function verifyLinearSignature(
  secret: string,
  signature: string | undefined,
  rawBody: Uint8Array,
): Promise<boolean> {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature.trim())) return false;
  return timingSafeEqual(await hmacSha256Hex(secret, [rawBody]), signature.trim().toLowerCase());
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
  return hmacSha256Hex(secret, [rawBody]);
}
