/**
 * Seals and opens one tenant's secrets: finds (or creates, once) the tenant's data key, unwraps it
 * with the master keyring and applies the envelope. Knows nothing of HTTP.
 */
import type { Database } from "../db/client";
import { findDataKey, insertDataKeyOnce } from "../db/repositories/tenant-keys";
import { createWrappedDataKey, openValue, type SecretAddress, sealValue, unwrapDataKey } from "./envelope";
import type { Keyring } from "./keyring";

async function dataKeyFor(
  db: Database,
  ring: Keyring,
  tenantId: string,
  create: boolean,
): Promise<CryptoKey | null> {
  let row = await findDataKey(db, tenantId);
  if (!row) {
    if (!create) return null;
    const fresh = await createWrappedDataKey(ring, tenantId);
    row = await insertDataKeyOnce(db, tenantId, { ...fresh, createdAt: new Date().toISOString() });
  }
  return unwrapDataKey(ring, tenantId, row);
}

export async function sealSecret(
  db: Database,
  ring: Keyring,
  address: SecretAddress,
  value: string,
): Promise<string> {
  const key = await dataKeyFor(db, ring, address.tenantId, true);
  if (!key) throw new Error("data key missing after creation");
  return sealValue(key, address, value);
}

/** Opens several sealed values of one tenant with a single unwrap of its data key. */
export async function openSecrets(
  db: Database,
  ring: Keyring,
  tenantId: string,
  sealed: { address: SecretAddress; ciphertext: string }[],
): Promise<string[]> {
  if (sealed.length === 0) return [];
  const key = await dataKeyFor(db, ring, tenantId, false);
  if (!key) throw new Error(`tenant ${tenantId} has sealed secrets but no data key`);
  return Promise.all(sealed.map((s) => openValue(key, s.address, s.ciphertext)));
}
