/**
 * Who may start an automation: the signature checks for `POST /webhooks/in/:id`.
 *
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`):
 *   the signed content and the `whsec_` secret format come from the spec's own reference library
 *   (`standardwebhooks`, pure JS: it runs in workerd). Its `verify` reads the clock itself and
 *   throws one generic error, so the window (5 minutes both ways, against the `now` we are given)
 *   and the header checks are here, and only `sign` is the library's; signatures are compared with
 *   hono's `timingSafeEqual`, as the rest of the Worker compares secrets.
 * - Sentry (`sentry-hook-signature`): hex HMAC-SHA256 of the raw body keyed with the
 *   integration's client secret (Web Crypto, integrations/hmac.ts).
 * - GitHub (`x-hub-signature-256`): GitHub's own @octokit/webhooks-methods, as the App's
 *   webhooks are checked (github/webhook-signature.ts).
 *
 * Every secret is tried (several are live during a rotation), so the time taken does not say
 * which one matched. Reasons name what was wrong with the request, never anything about a secret.
 */
import { timingSafeEqual } from "hono/utils/buffer";
import { Webhook } from "standardwebhooks";
import { verifyWebhookSignature } from "../github/webhook-signature";
import { hmacSha256Hex } from "../integrations/hmac";

/** How far a delivery's timestamp may be from now, either way (the spec's recommendation). */
export const STANDARD_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
const MAX_WEBHOOK_ID_CHARS = 256;
const MAX_SIGNATURES = 16;
const MAX_SIGNATURE_CHARS = 200;
const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

const encoder = new TextEncoder();

export type StandardWebhookVerdict = { ok: true; webhookId: string } | { ok: false; reason: string };

export async function verifyStandardWebhook(
  rawBody: string,
  headers: Headers,
  secrets: string[],
  now: Date,
): Promise<StandardWebhookVerdict> {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatureHeader = headers.get("webhook-signature");
  if (!id) return refused("the webhook-id header is missing");
  if (!timestamp) return refused("the webhook-timestamp header is missing");
  if (!signatureHeader) return refused("the webhook-signature header is missing");
  if (id.length > MAX_WEBHOOK_ID_CHARS || !isPrintableAscii(id))
    return refused(`webhook-id must be at most ${MAX_WEBHOOK_ID_CHARS} printable ASCII characters`);
  if (!/^[0-9]{1,12}$/.test(timestamp))
    return refused("webhook-timestamp must be the signing time in whole seconds since the Unix epoch");

  const given = signatureHeader.split(" ").filter((entry) => entry.length > 0);
  if (given.length > MAX_SIGNATURES)
    return refused(`webhook-signature may list at most ${MAX_SIGNATURES} signatures`);
  // Other versions (v1a is the asymmetric scheme) are skipped, as the spec asks.
  const candidates = given
    .filter((entry) => entry.startsWith("v1,") && entry.length <= MAX_SIGNATURE_CHARS)
    .map((entry) => entry.slice("v1,".length));
  if (candidates.length === 0) return refused('webhook-signature has no "v1,<base64>" signature');

  const signedAt = Number(timestamp);
  let matched = false;
  for (const secret of secrets) {
    const expected = expectedSignature(secret, id, signedAt, rawBody);
    if (expected === undefined) continue;
    for (const candidate of candidates) if (await timingSafeEqual(expected, candidate)) matched = true;
  }
  if (!matched) return refused("webhook-signature does not match this automation's secret");

  const age = Math.floor(now.getTime() / 1000) - signedAt;
  if (age > STANDARD_WEBHOOK_TOLERANCE_SECONDS)
    return refused("webhook-timestamp is more than 5 minutes old (a replay, or the sender's clock is off)");
  if (-age > STANDARD_WEBHOOK_TOLERANCE_SECONDS)
    return refused("webhook-timestamp is more than 5 minutes in the future (the sender's clock is off)");
  return { ok: true, webhookId: id };
}

/** The base64 part of the v1 signature for this secret; undefined for a secret that is not `whsec_<base64>`. */
function expectedSignature(
  secret: string,
  id: string,
  signedAtSeconds: number,
  body: string,
): string | undefined {
  try {
    return new Webhook(secret).sign(id, new Date(signedAtSeconds * 1000), body).slice("v1,".length);
  } catch {
    return undefined;
  }
}

/**
 * The `webhook-signature` header value a sender would send: for tests, the devstack, the
 * benchmark and the docs' curl example. Throws on a secret that is not `whsec_<base64>`.
 */
export function signStandardWebhook(
  secret: string,
  id: string,
  signedAtSeconds: number,
  body: string,
): string {
  return new Webhook(secret).sign(id, new Date(signedAtSeconds * 1000), body);
}

export async function verifySentrySignature(
  rawBody: string,
  headers: Headers,
  secrets: string[],
): Promise<boolean> {
  const given = headers.get("sentry-hook-signature")?.trim().toLowerCase();
  if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
  const body = encoder.encode(rawBody);
  let matched = false;
  for (const secret of secrets) {
    if (!secret) continue;
    if (await timingSafeEqual(await hmacSha256Hex(secret, [body]), given)) matched = true;
  }
  return matched;
}

export async function verifyGithubSignature(
  rawBody: string,
  headers: Headers,
  secrets: string[],
): Promise<boolean> {
  const given = headers.get("x-hub-signature-256");
  if (!given) return false;
  const body = encoder.encode(rawBody);
  let matched = false;
  for (const secret of secrets) {
    if (!secret) continue;
    if (await verifyWebhookSignature(secret, body, given)) matched = true;
  }
  return matched;
}

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export function newAutomationSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return SECRET_PREFIX + btoa(String.fromCharCode(...bytes));
}

function refused(reason: string): StandardWebhookVerdict {
  return { ok: false, reason };
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}
