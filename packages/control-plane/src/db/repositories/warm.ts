/**
 * The warm-start registry in D1: which repositories a tenant opted in (warm_repositories) and,
 * per repository and sandbox provider, the newest prebuilt snapshot and the latest prebuild's
 * state (warm_snapshots). Every query names the tenant, except `isWarmSnapshotInUse`: the provider
 * snapshot sweep has only the snapshot's name, and reads no more than whether a row keeps it.
 */
import { RepoRef } from "@nightshift/protocol";
import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { warmRepositories, warmSnapshots } from "../schema";

export type WarmSnapshotRow = typeof warmSnapshots.$inferSelect;

export interface WarmRepository {
  repo: RepoRef;
  repoKey: string;
  enabled: boolean;
  /** Who enabled it; prebuilds run as this user. */
  updatedBy: string | null;
  updatedAt: string;
}

function toRepository(row: typeof warmRepositories.$inferSelect): WarmRepository | null {
  let repo: unknown;
  try {
    repo = JSON.parse(row.repo);
  } catch {
    return null;
  }
  const parsed = RepoRef.safeParse(repo);
  if (!parsed.success) return null;
  return {
    repo: parsed.data,
    repoKey: row.repoKey,
    enabled: row.enabled,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
  };
}

export async function putWarmRepository(
  db: Database,
  tenantId: string,
  value: { repo: RepoRef; repoKey: string; enabled: boolean },
  userId: string,
  now: string,
): Promise<void> {
  const row = {
    tenantId,
    repoKey: value.repoKey,
    repo: JSON.stringify(value.repo),
    enabled: value.enabled,
    updatedBy: userId,
    updatedAt: now,
  };
  await db
    .insert(warmRepositories)
    .values(row)
    .onConflictDoUpdate({
      target: [warmRepositories.tenantId, warmRepositories.repoKey],
      set: { repo: row.repo, enabled: row.enabled, updatedBy: userId, updatedAt: now },
    });
}

export async function findWarmRepository(
  db: Database,
  tenantId: string,
  repoKey: string,
): Promise<WarmRepository | null> {
  const [row] = await db
    .select()
    .from(warmRepositories)
    .where(and(eq(warmRepositories.tenantId, tenantId), eq(warmRepositories.repoKey, repoKey)));
  return row ? toRepository(row) : null;
}

export async function listWarmRepositories(db: Database, tenantId: string): Promise<WarmRepository[]> {
  const rows = await db.select().from(warmRepositories).where(eq(warmRepositories.tenantId, tenantId));
  return rows.map(toRepository).filter((r): r is WarmRepository => r !== null);
}

export async function listWarmSnapshots(db: Database, tenantId: string): Promise<WarmSnapshotRow[]> {
  return db.select().from(warmSnapshots).where(eq(warmSnapshots.tenantId, tenantId));
}

function snapshotKey(tenantId: string, repoKey: string, provider: string) {
  return and(
    eq(warmSnapshots.tenantId, tenantId),
    eq(warmSnapshots.repoKey, repoKey),
    eq(warmSnapshots.provider, provider),
  );
}

export async function findWarmSnapshot(
  db: Database,
  tenantId: string,
  repoKey: string,
  provider: string,
): Promise<WarmSnapshotRow | null> {
  const [row] = await db
    .select()
    .from(warmSnapshots)
    .where(snapshotKey(tenantId, repoKey, provider));
  return row ?? null;
}

/** A prebuild started: the row says building (the newest ready snapshot stays usable meanwhile). */
export async function markBuilding(
  db: Database,
  tenantId: string,
  target: { repoKey: string; provider: string; sessionId: string; head: string | null },
  now: string,
): Promise<void> {
  const set = {
    state: "building",
    reason: null,
    prebuildSessionId: target.sessionId,
    buildStartedAt: now,
    ...(target.head ? { headCommit: target.head } : {}),
    updatedAt: now,
  };
  await db
    .insert(warmSnapshots)
    .values({ tenantId, repoKey: target.repoKey, provider: target.provider, ...set })
    .onConflictDoUpdate({
      target: [warmSnapshots.tenantId, warmSnapshots.repoKey, warmSnapshots.provider],
      set,
    });
}

/**
 * The prebuild `sessionId` produced `ref` at `commit`; answers the ref it replaced (to delete),
 * or null. A prebuild that a newer one superseded records nothing (and answers its own ref, so
 * the caller deletes it).
 */
export async function markReady(
  db: Database,
  tenantId: string,
  target: { repoKey: string; provider: string; sessionId: string },
  built: { ref: string; commit: string },
  now: string,
): Promise<{ recorded: boolean; replaced: string | null }> {
  const row = await findWarmSnapshot(db, tenantId, target.repoKey, target.provider);
  if (!row || row.prebuildSessionId !== target.sessionId) return { recorded: false, replaced: built.ref };
  await db
    .update(warmSnapshots)
    .set({ state: "ready", reason: null, ref: built.ref, commit: built.commit, builtAt: now, updatedAt: now })
    .where(
      and(
        snapshotKey(tenantId, target.repoKey, target.provider),
        eq(warmSnapshots.prebuildSessionId, target.sessionId),
      ),
    );
  return { recorded: true, replaced: row.ref && row.ref !== built.ref ? row.ref : null };
}

/** The prebuild `sessionId` failed; the newest ready snapshot (if any) stays as it was. */
export async function markFailed(
  db: Database,
  tenantId: string,
  target: { repoKey: string; provider: string; sessionId: string },
  reason: string,
  now: string,
): Promise<void> {
  await db
    .update(warmSnapshots)
    .set({ state: "failed", reason: reason.slice(0, 1000), updatedAt: now })
    .where(
      and(
        snapshotKey(tenantId, target.repoKey, target.provider),
        eq(warmSnapshots.prebuildSessionId, target.sessionId),
      ),
    );
}

/** A session could not start from `ref` (the provider no longer knows it): it is never offered again. */
export async function markUnusable(
  db: Database,
  tenantId: string,
  target: { repoKey: string; provider: string; ref: string },
  reason: string,
  now: string,
): Promise<void> {
  await db
    .update(warmSnapshots)
    .set({
      state: "failed",
      reason: reason.slice(0, 1000),
      ref: null,
      commit: null,
      builtAt: null,
      updatedAt: now,
    })
    .where(and(snapshotKey(tenantId, target.repoKey, target.provider), eq(warmSnapshots.ref, target.ref)));
}

/** A push named the default branch's head: every provider's snapshot of the repository is judged against it. */
export async function recordHead(
  db: Database,
  tenantId: string,
  repoKey: string,
  head: string,
  now: string,
): Promise<void> {
  await db
    .update(warmSnapshots)
    .set({ headCommit: head, updatedAt: now })
    .where(and(eq(warmSnapshots.tenantId, tenantId), eq(warmSnapshots.repoKey, repoKey)));
}

/** Warm start was turned off: the repository's snapshot rows go; answers each provider's ref to delete. */
export async function removeWarmSnapshots(
  db: Database,
  tenantId: string,
  repoKey: string,
): Promise<Array<{ provider: string; ref: string }>> {
  const where = and(eq(warmSnapshots.tenantId, tenantId), eq(warmSnapshots.repoKey, repoKey));
  const rows = await db.select().from(warmSnapshots).where(where);
  await db.delete(warmSnapshots).where(where);
  return rows.flatMap((row) => (row.ref ? [{ provider: row.provider, ref: row.ref }] : []));
}

/** Across tenants: whether any repository's warm-start row still uses the snapshot `ref`. */
export async function isWarmSnapshotInUse(db: Database, ref: string): Promise<boolean> {
  const [row] = await db
    .select({ ref: warmSnapshots.ref })
    .from(warmSnapshots)
    .where(eq(warmSnapshots.ref, ref))
    .limit(1);
  return row !== undefined;
}
