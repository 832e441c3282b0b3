/**
 * Master-key rotation: re-wraps every tenant data key that the current master key did not wrap.
 * Sealed values are not read or written, so rotation is fast and cannot corrupt a value. Where
 * the keys live is a port: D1 through the binding (inside the Worker and tests), or through
 * `wrangler d1 execute` (the rotation command). Imports carry `.ts` so Node can run the command.
 */
import { rewrapDataKey, type WrappedDataKey } from "./envelope.ts";
import type { Keyring } from "./keyring.ts";

export interface DataKeyChange {
  tenantId: string;
  from: WrappedDataKey;
  to: WrappedDataKey;
}

export interface DataKeyStore {
  listNotWrappedBy(kid: string): Promise<(WrappedDataKey & { tenantId: string })[]>;
  /** Compare-and-set each change; returns the tenants whose row still held `from` and now holds `to`. */
  replaceAll(changes: DataKeyChange[], now: string): Promise<Set<string>>;
}

export interface RotationReport {
  rewrapped: number;
  /** Changed by someone else between read and write; a re-run picks them up. */
  skipped: number;
  failed: { tenantId: string; error: string }[];
}

export async function rewrapAllDataKeys(
  store: DataKeyStore,
  ring: Keyring,
  onProgress: (done: number, total: number, tenantId: string) => void = () => {},
): Promise<RotationReport> {
  const stale = await store.listNotWrappedBy(ring.currentKid);
  const changes: DataKeyChange[] = [];
  const failed: RotationReport["failed"] = [];
  let done = 0;
  for (const row of stale) {
    try {
      changes.push({ tenantId: row.tenantId, from: row, to: await rewrapDataKey(ring, row.tenantId, row) });
    } catch (err) {
      failed.push({ tenantId: row.tenantId, error: err instanceof Error ? err.message : String(err) });
    }
    onProgress(++done, stale.length, row.tenantId);
  }
  const swapped =
    changes.length > 0 ? await store.replaceAll(changes, new Date().toISOString()) : new Set<string>();
  return { rewrapped: swapped.size, skipped: changes.length - swapped.size, failed };
}
