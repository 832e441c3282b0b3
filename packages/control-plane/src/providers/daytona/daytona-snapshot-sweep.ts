/**
 * Deletes Daytona snapshots Nightshift took and no longer needs. A session deletes its replaced
 * and final snapshots itself, and a prebuild the warm snapshot it replaced, but a deletion that
 * keeps failing, or a crash between taking a snapshot and recording it, leaves one behind, billed
 * by the gigabyte. Only names Nightshift made with this deployment's tag are judged (their owner is
 * in the name: daytona-snapshots.ts), and none younger than the grace period (its owner may be
 * recording it). A resume snapshot goes once its session has ended; a warm snapshot once no
 * repository's warm-start row uses it. A snapshot whose session this control plane does not know,
 * and an unused warm snapshot, go only when the deployment is named (NIGHTSHIFT_DEPLOYMENT):
 * unnamed deployments sharing a Daytona organization share the tag, and one's may be the other's.
 * Reads and deletions per run are bounded; a failed lookup or deletion is counted, never thrown.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import type { DaytonaClient } from "./daytona-client";
import { parseSnapshotName, SNAPSHOT_NAME_PREFIX } from "./daytona-snapshots";

/** Longer than a snapshot may take to become active (90 s) and be recorded, with room to spare. */
export const SNAPSHOT_SWEEP_GRACE_MS = 30 * 60_000;
export const SNAPSHOT_PAGE_SIZE = 100;
export const SNAPSHOT_MAX_PAGES = 10;
export const SNAPSHOT_MAX_DELETES = 50;

export type SnapshotRemovalReason = "session ended" | "session unknown" | "warm snapshot unused";

export interface SnapshotOwners {
  /** The session's status, or null when this control plane has no such session. */
  sessionStatus(sessionId: string): Promise<SessionStatus | null>;
  /** Whether a repository's warm-start row still uses the snapshot named `ref`. */
  warmInUse(ref: string): Promise<boolean>;
}

export interface SnapshotSweepOptions {
  /** `deploymentTag(NIGHTSHIFT_DEPLOYMENT)`. */
  deploymentTag: string;
  /** Whether NIGHTSHIFT_DEPLOYMENT is set (see the header). */
  named: boolean;
  now: number;
  graceMs?: number;
  maxPages?: number;
  maxDeletes?: number;
}

export interface SnapshotSweepReport {
  /** Snapshots of this deployment looked at. */
  checked: number;
  deleted: { name: string; reason: SnapshotRemovalReason }[];
  errors: number;
}

type Listed = { id: string; name: string; createdAt: number };

export async function sweepDaytonaSnapshots(
  client: Pick<DaytonaClient, "listSnapshots" | "deleteSnapshot">,
  owners: SnapshotOwners,
  options: SnapshotSweepOptions,
): Promise<SnapshotSweepReport> {
  const own = await listOwn(client, options);
  const report: SnapshotSweepReport = { checked: own.length, deleted: [], errors: 0 };
  const grace = options.graceMs ?? SNAPSHOT_SWEEP_GRACE_MS;
  const maxDeletes = options.maxDeletes ?? SNAPSHOT_MAX_DELETES;
  for (const snapshot of own) {
    if (report.deleted.length >= maxDeletes) break;
    // Without a creation time a snapshot counts as young: kept.
    if (!(options.now - snapshot.createdAt >= grace)) continue;
    let reason: SnapshotRemovalReason | null;
    try {
      reason = await removalReason(snapshot.name, owners, options.named);
    } catch {
      report.errors++;
      continue;
    }
    if (!reason) continue;
    try {
      await client.deleteSnapshot(snapshot.id);
      report.deleted.push({ name: snapshot.name, reason });
    } catch {
      report.errors++;
    }
  }
  return report;
}

async function removalReason(
  name: string,
  owners: SnapshotOwners,
  named: boolean,
): Promise<SnapshotRemovalReason | null> {
  const parsed = parseSnapshotName(name);
  if (!parsed) return null;
  if (parsed.purpose === "warm")
    return named && !(await owners.warmInUse(name)) ? "warm snapshot unused" : null;
  const status = await owners.sessionStatus(parsed.sessionId);
  if (status === null) return named ? "session unknown" : null;
  return TERMINAL_STATUSES.has(status) ? "session ended" : null;
}

async function listOwn(
  client: Pick<DaytonaClient, "listSnapshots">,
  options: SnapshotSweepOptions,
): Promise<Listed[]> {
  const out: Listed[] = [];
  const maxPages = options.maxPages ?? SNAPSHOT_MAX_PAGES;
  for (let page = 1; page <= maxPages; page++) {
    const answer = await client.listSnapshots(SNAPSHOT_NAME_PREFIX, page, SNAPSHOT_PAGE_SIZE);
    for (const snapshot of answer.items) {
      // Daytona's name filter is a partial match: the name is checked again here, owner and all.
      if (parseSnapshotName(snapshot.name)?.deploymentTag !== options.deploymentTag) continue;
      if (snapshot.state === "removing") continue;
      const createdAt = snapshot.createdAt ? Date.parse(snapshot.createdAt) : Number.NaN;
      out.push({ id: snapshot.id, name: snapshot.name, createdAt });
    }
    if (page >= answer.totalPages || answer.items.length === 0) break;
  }
  return out;
}
