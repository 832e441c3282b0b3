/**
 * Slack's v0 request signature: hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's
 * signing secret, in `X-Slack-Signature: v0=<hex>`; a timestamp more than five minutes from now
 * is refused as a possible replay. During a rotation the previous secret is accepted too.
 */

import { timingSafeEqual } from "hono/utils/buffer";
import { hmacSha256Hex } from "../hmac";

const WINDOW_SECONDS = 5 * 60;
const encoder = new TextEncoder();

export type SignatureVerdict = "valid" | "stale" | "invalid";

export async function verifySlackSignature(
  secrets: string[],
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: Uint8Array,
  nowMs: number,
): Promise<SignatureVerdict> {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^[0-9]{1,12}$/.test(timestamp)) return "invalid";
  const given = signature.trim().toLowerCase();
  if (!given.startsWith("v0=")) return "invalid";
  const givenMac = given.slice("v0=".length);
  const prefix = encoder.encode(`v0:${timestamp}:`);
  let matched = false;
  // Every secret is tried, so the time taken does not say which one matched.
  for (const secret of secrets) {
    if (await timingSafeEqual(await hmacSha256Hex(secret, [prefix, rawBody]), givenMac)) matched = true;
  }
  if (!matched) return "invalid";
  return Math.abs(nowMs / 1000 - Number(timestamp)) > WINDOW_SECONDS ? "stale" : "valid";
}
