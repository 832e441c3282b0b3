/**
 * API key material: `nsk_<8 public chars>_<43 chars of 32 random bytes>`. The public part is
 * stored and shown so people can tell keys apart; only the SHA-256 of the whole key is kept,
 * which is enough for a 256-bit random secret (no slow hash needed: there is nothing to guess).
 */
import { API_KEY_PREFIX } from "@nightshift/protocol";
import { randomBytes, sha256Hex, toBase64Url } from "../secrets/encoding";

const SHAPE = /^nsk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;
const PUBLIC_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export interface NewKeyMaterial {
  key: string;
  prefix: string;
  hash: string;
}

export async function generateApiKey(): Promise<NewKeyMaterial> {
  const publicPart = [...randomBytes(8)].map((b) => PUBLIC_ALPHABET[b % PUBLIC_ALPHABET.length]).join("");
  const prefix = `${API_KEY_PREFIX}${publicPart}`;
  const key = `${prefix}_${toBase64Url(randomBytes(32))}`;
  return { key, prefix, hash: await sha256Hex(key) };
}

export function looksLikeApiKey(token: string): boolean {
  return SHAPE.test(token);
}

export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}
