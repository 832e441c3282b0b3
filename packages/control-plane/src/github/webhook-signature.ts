/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256 of the raw body>`) with GitHub's own
 * @octokit/webhooks-methods, whose Web Crypto build compares in constant time (`subtle.verify`).
 */
import { verify } from "@octokit/webhooks-methods";

/** The library throws on an empty or non-hex signature; anything not shaped like one is refused first. */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;

export async function verifyWebhookSignature(
  secret: string,
  rawBody: Uint8Array,
  header: string | null | undefined,
): Promise<boolean> {
  if (!header || !SIGNATURE.test(header) || rawBody.length === 0) return false;
  // The library signs strings. GitHub sends UTF-8 JSON, which decodes and re-encodes to the same
  // bytes; a body that is not valid UTF-8 would not, and is refused, which is the safe side.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let payload: string;
  try {
    payload = decoder.decode(rawBody);
  } catch {
    return false;
  }
  return verify(secret, payload, header);
}
