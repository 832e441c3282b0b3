/**
 * AES-256-GCM envelope encryption with Web Crypto. A master key wraps a tenant's data key; the
 * data key seals each value. Both layers carry associated data, so a wrapped key only opens for
 * its tenant and key id, and a sealed value only for its tenant, scope, repository and name.
 */
import { fromBase64, randomBytes, toBase64 } from "./encoding.ts";
import { SecretsCryptoError } from "./errors.ts";
import type { Keyring } from "./keyring.ts";

const IV_BYTES = 12;
const VALUE_FORMAT = "v1.";
const encoder = new TextEncoder();

export interface SecretAddress {
  tenantId: string;
  /**
   * "user": a user's own model account; repoKey then holds the user id. "automation": an
   * automation's webhook signing secret; repoKey then holds the automation id.
   */
  scope: "tenant" | "repo" | "user" | "automation";
  /** "" for tenant-wide secrets. */
  repoKey: string;
  name: string;
}

/** The associated data of a value: exactly `tenant|scope|repo|name` (no field may contain `|`). */
export function valueAad(a: SecretAddress): Uint8Array {
  for (const part of [a.tenantId, a.scope, a.repoKey, a.name]) {
    if (part.includes("|")) throw new SecretsCryptoError("secret address fields must not contain '|'");
  }
  return encoder.encode(`${a.tenantId}|${a.scope}|${a.repoKey}|${a.name}`);
}

function dataKeyAad(tenantId: string, kid: string): Uint8Array {
  return encoder.encode(`nightshift-dek|${tenantId}|${kid}`);
}

async function encrypt(key: CryptoKey, plaintext: Uint8Array, aad: Uint8Array): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return toBase64(out);
}

/** null when the input is malformed or the tag does not verify; callers turn that into an error. */
async function decrypt(key: CryptoKey, encoded: string, aad: Uint8Array): Promise<Uint8Array | null> {
  const bytes = fromBase64(encoded);
  if (!bytes || bytes.byteLength < IV_BYTES + 16) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: aad },
      key,
      bytes.subarray(IV_BYTES),
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}

export interface WrappedDataKey {
  kid: string;
  wrappedKey: string;
}

/** A fresh random data key, wrapped under the keyring's current master key. */
export async function createWrappedDataKey(ring: Keyring, tenantId: string): Promise<WrappedDataKey> {
  const raw = randomBytes(32);
  return wrapRawDataKey(ring, ring.currentKid, tenantId, raw);
}

async function wrapRawDataKey(
  ring: Keyring,
  kid: string,
  tenantId: string,
  raw: Uint8Array,
): Promise<WrappedDataKey> {
  const master = ring.keys.get(kid);
  if (!master) throw new SecretsCryptoError(`master key '${kid}' is not in SECRETS_MASTER_KEYS`);
  return { kid, wrappedKey: await encrypt(master, raw, dataKeyAad(tenantId, kid)) };
}

async function unwrapRaw(ring: Keyring, tenantId: string, wrapped: WrappedDataKey): Promise<Uint8Array> {
  const master = ring.keys.get(wrapped.kid);
  if (!master) {
    throw new SecretsCryptoError(
      `tenant ${tenantId}'s data key is wrapped by master key '${wrapped.kid}', which is not in SECRETS_MASTER_KEYS; ` +
        "add it back (after the current key) and run the rotation command before removing it",
    );
  }
  const raw = await decrypt(master, wrapped.wrappedKey, dataKeyAad(tenantId, wrapped.kid));
  if (raw?.byteLength !== 32) {
    throw new SecretsCryptoError(
      `tenant ${tenantId}'s data key did not open with master key '${wrapped.kid}': it was altered, copied from another tenant, or the key material changed`,
    );
  }
  return raw;
}

/** The tenant's data key as a non-extractable AES-GCM key. */
export async function unwrapDataKey(
  ring: Keyring,
  tenantId: string,
  wrapped: WrappedDataKey,
): Promise<CryptoKey> {
  const raw = await unwrapRaw(ring, tenantId, wrapped);
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** Rotation: the same data key, wrapped under the current master key instead. Values are untouched. */
export async function rewrapDataKey(
  ring: Keyring,
  tenantId: string,
  wrapped: WrappedDataKey,
): Promise<WrappedDataKey> {
  const raw = await unwrapRaw(ring, tenantId, wrapped);
  return wrapRawDataKey(ring, ring.currentKid, tenantId, raw);
}

export async function sealValue(dataKey: CryptoKey, address: SecretAddress, value: string): Promise<string> {
  return VALUE_FORMAT + (await encrypt(dataKey, encoder.encode(value), valueAad(address)));
}

export async function openValue(dataKey: CryptoKey, address: SecretAddress, sealed: string): Promise<string> {
  const plain = sealed.startsWith(VALUE_FORMAT)
    ? await decrypt(dataKey, sealed.slice(VALUE_FORMAT.length), valueAad(address))
    : null;
  if (!plain) {
    throw new SecretsCryptoError(
      `secret ${address.name} (${address.scope}${address.repoKey ? ` ${address.repoKey}` : ""}) of tenant ${address.tenantId} did not open: ` +
        "its ciphertext was altered or belongs to another tenant, scope, repository or name",
    );
  }
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain);
}
