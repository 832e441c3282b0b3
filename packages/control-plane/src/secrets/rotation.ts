/**
 * Master-key rotation: re-wraps every tenant data key that the current master key did not wrap.
 * Sealed values are not read or written, so rotation is fast and cannot corrupt a value. The
 * store is a port: D1 through the binding inside the Worker and tests, or through
 * `wrangler d1 execute` from the rotation command.
 */
import type { Database } from "../db/client";
import { listDataKeysNotWrappedBy, replaceWrappedDataKey } from "../db/repositories/tenant-keys";
import { rewrapDataKey, type WrappedDataKey } from "./envelope";
import type { Keyring } from "./keyring";

export interface DataKeyStore {
  listNotWrappedBy(kid: string): Promise<(WrappedDataKey & { tenantId: string })[]>;
  /** Compare-and-set: false when the row changed since it was listed. */
  replace(tenantId: string, from: WrappedDataKey, to: WrappedDataKey, now: string): Promise<boolean>;
}

export function d1DataKeyStore(db: Database): DataKeyStore {
  return {
    listNotWrappedBy: (kid) => listDataKeysNotWrappedBy(db, kid),
    replace: (tenantId, from, to, now) =>
      replaceWrappedDataKey(db, tenantId, {
        fromKid: from.kid,
        fromWrapped: from.wrappedKey,
        toKid: to.kid,
        toWrapped: to.wrappedKey,
        now,
      }),
  };
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
  const report: RotationReport = { rewrapped: 0, skipped: 0, failed: [] };
  let done = 0;
  for (const row of stale) {
    try {
      const next = await rewrapDataKey(ring, row.tenantId, row);
      if (await store.replace(row.tenantId, row, next, new Date().toISOString())) report.rewrapped++;
      else report.skipped++;
    } catch (err) {
      report.failed.push({ tenantId: row.tenantId, error: err instanceof Error ? err.message : String(err) });
    }
    onProgress(++done, stale.length, row.tenantId);
  }
  return report;
}
