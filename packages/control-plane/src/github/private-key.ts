/**
 * Normalises a GitHub App private key to PKCS#8 PEM. GitHub hands out PKCS#1
 * (`BEGIN RSA PRIVATE KEY`), but Web Crypto (and so @octokit/app's JWT signer in workerd) only
 * imports PKCS#8: we wrap the PKCS#1 DER in a PrivateKeyInfo by hand. Also undoes the `\n`
 * escapes a key picks up when pasted into a single-line secret.
 */

const PKCS1_LABEL = "RSA PRIVATE KEY";
const PKCS8_LABEL = "PRIVATE KEY";
/** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }, DER-encoded. */
const RSA_ALGORITHM_ID = [
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

export class PrivateKeyFormatError extends Error {}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function derNode(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...derLength(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head, 0);
  out.set(content, head.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function toPem(label: string, der: Uint8Array): string {
  const lines = bytesToBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Wraps a PKCS#1 RSAPrivateKey (DER) in a PKCS#8 PrivateKeyInfo (DER). */
export function pkcs1ToPkcs8Der(pkcs1: Uint8Array): Uint8Array {
  const version = new Uint8Array([0x02, 0x01, 0x00]);
  return derNode(0x30, concat(version, new Uint8Array(RSA_ALGORITHM_ID), derNode(0x04, pkcs1)));
}

/**
 * True when `der` is exactly one DER SEQUENCE (both key formats are): a truncated or padded
 * paste fails here, with a message, instead of at the first token mint as "GitHub did not answer".
 */
function isWholeDerSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first === der.length;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || der.length < 2 + octets) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (der[2 + i] ?? 0);
  return 2 + octets + length === der.length;
}

/** Returns the key as PKCS#8 PEM; throws PrivateKeyFormatError (without echoing the key) otherwise. */
export function normalizePrivateKey(raw: string): string {
  const text = raw.replace(/\\n/g, "\n").trim();
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!match)
    throw new PrivateKeyFormatError(
      "GITHUB_APP_PRIVATE_KEY is not a PEM key; paste the whole .pem file GitHub gave you, BEGIN and END lines included",
    );
  const [, label, body = ""] = match;
  let der: Uint8Array;
  try {
    der = base64ToBytes(body.replace(/\s+/g, ""));
  } catch {
    throw new PrivateKeyFormatError(
      "GITHUB_APP_PRIVATE_KEY has a damaged base64 body; download the key again",
    );
  }
  if ((label === PKCS8_LABEL || label === PKCS1_LABEL) && !isWholeDerSequence(der))
    throw new PrivateKeyFormatError(
      `GITHUB_APP_PRIVATE_KEY is a '${label}' PEM whose body is not a whole key (cut short or damaged); paste the whole .pem file GitHub gave you again`,
    );
  if (label === PKCS8_LABEL) return toPem(PKCS8_LABEL, der);
  if (label === PKCS1_LABEL) return toPem(PKCS8_LABEL, pkcs1ToPkcs8Der(der));
  throw new PrivateKeyFormatError(
    `GITHUB_APP_PRIVATE_KEY is a '${label}' PEM; expected an RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)`,
  );
}
