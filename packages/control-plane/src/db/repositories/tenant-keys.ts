/** Each tenant's wrapped data key. Only the master-key rotation reads across tenants. */
import { and, eq, ne } from "drizzle-orm";
import type { DataKeyStore } from "../../secrets/rotation";
import type { Database } from "../client";
import { tenantDataKeys } from "../schema";

export type DataKeyRow = typeof tenantDataKeys.$inferSelect;

export async function findDataKey(db: Database, tenantId: string): Promise<DataKeyRow | null> {
  return (await db.query.tenantDataKeys.findFirst({ where: eq(tenantDataKeys.tenantId, tenantId) })) ?? null;
}

/**
 * Stores a new tenant's wrapped data key unless one appeared meanwhile (two first secrets written
 * at once); either way returns the row that won, so both writers seal under the same key.
 */
export async function insertDataKeyOnce(
  db: Database,
  tenantId: string,
  row: { kid: string; wrappedKey: string; createdAt: string },
): Promise<DataKeyRow> {
  await db
    .insert(tenantDataKeys)
    .values({ tenantId, ...row })
    .onConflictDoNothing();
  const winner = await findDataKey(db, tenantId);
  if (!winner) throw new Error(`data key for tenant ${tenantId} vanished right after insert`);
  return winner;
}

/** Rotation: every data key not yet wrapped by `kid`, across all tenants. */
export async function listDataKeysNotWrappedBy(db: Database, kid: string): Promise<DataKeyRow[]> {
  return db.select().from(tenantDataKeys).where(ne(tenantDataKeys.kid, kid));
}

/** Replaces a wrapped key only if it is still the one that was read (compare-and-set). */
export async function replaceWrappedDataKey(
  db: Database,
  tenantId: string,
  change: { fromKid: string; fromWrapped: string; toKid: string; toWrapped: string; now: string },
): Promise<boolean> {
  const rows = await db
    .update(tenantDataKeys)
    .set({ kid: change.toKid, wrappedKey: change.toWrapped, rotatedAt: change.now })
    .where(
      and(
        eq(tenantDataKeys.tenantId, tenantId),
        eq(tenantDataKeys.kid, change.fromKid),
        eq(tenantDataKeys.wrappedKey, change.fromWrapped),
      ),
    )
    .returning({ tenantId: tenantDataKeys.tenantId });
  return rows.length > 0;
}

/** The rotation port over the D1 binding (the Worker, tests). */
export function d1DataKeyStore(db: Database): DataKeyStore {
  return {
    listNotWrappedBy: (kid) => listDataKeysNotWrappedBy(db, kid),
    async replaceAll(changes, now) {
      const swapped = new Set<string>();
      for (const c of changes) {
        const ok = await replaceWrappedDataKey(db, c.tenantId, {
          fromKid: c.from.kid,
          fromWrapped: c.from.wrappedKey,
          toKid: c.to.kid,
          toWrapped: c.to.wrappedKey,
          now,
        });
        if (ok) swapped.add(c.tenantId);
      }
      return swapped;
    },
  };
}
