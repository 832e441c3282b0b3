/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256 of the raw body>`). Web Crypto's
 * `verify` compares in constant time, so the check leaks nothing about where a forgery differs.
 */
const PREFIX = "sha256=";

function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length !== 64 || !/^[0-9a-f]+$/i.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function verifyWebhookSignature(
  secret: string,
  rawBody: Uint8Array,
  header: string | null | undefined,
): Promise<boolean> {
  if (!header?.startsWith(PREFIX)) return false;
  const signature = hexToBytes(header.slice(PREFIX.length));
  if (!signature) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(secret), signature, rawBody);
}

// The imported key for the current secret, kept per isolate: every delivery would otherwise import it again.
let cached: { secret: string; key: Promise<CryptoKey> } | null = null;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (cached?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    cached = { secret, key };
  }
  return cached.key;
}
