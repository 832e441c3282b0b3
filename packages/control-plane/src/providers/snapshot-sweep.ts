/**
 * The one orphan-snapshot policy every provider that snapshots follows (Daytona's named snapshots,
 * Modal's filesystem images), so a deployment behaves alike on each. A session deletes its replaced
 * and final snapshots itself, and a prebuild the warm snapshot it replaced, but a deletion that
 * keeps failing, or a crash between taking a snapshot and recording it, leaves one behind, billed
 * by the gigabyte. Only names Nightshift made with this deployment's tag are judged (their owner is
 * in the name: daytona/daytona-snapshots.ts), and none younger than the grace period (its owner may
 * be recording it). A resume snapshot goes once its session has ended; a warm snapshot once no
 * repository's warm-start row uses it. A snapshot whose session this control plane does not know,
 * and an unused warm snapshot, go only when the deployment is named (NIGHTSHIFT_DEPLOYMENT):
 * unnamed deployments sharing a provider account share the tag, and one's may be the other's.
 * Deletions per run are bounded; a failed lookup or deletion is counted, never thrown.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import { parseSnapshotName } from "./daytona/daytona-snapshots";

/** Longer than a snapshot may take to become active (90 s) and be recorded, with room to spare. */
export const SNAPSHOT_SWEEP_GRACE_MS = 30 * 60_000;
export const SNAPSHOT_MAX_DELETES = 50;

export type SnapshotRemovalReason = "session ended" | "session unknown" | "warm snapshot unused";

export interface SnapshotOwners {
  /** The session's status, or null when this control plane has no such session. */
  sessionStatus(sessionId: string): Promise<SessionStatus | null>;
  /** Whether a repository's warm-start row still uses the snapshot Nightshift recorded as `ref`. */
  warmInUse(ref: string): Promise<boolean>;
}

export interface SnapshotSweepOptions {
  /** `deploymentTag(NIGHTSHIFT_DEPLOYMENT)`. */
  deploymentTag: string;
  /** Whether NIGHTSHIFT_DEPLOYMENT is set (see the header). */
  named: boolean;
  now: number;
  graceMs?: number;
  maxDeletes?: number;
}

export interface SnapshotSweepReport {
  /** Snapshots of this deployment looked at. */
  checked: number;
  deleted: { name: string; reason: SnapshotRemovalReason }[];
  errors: number;
}

/** A snapshot as its provider lists it. */
export interface ListedSnapshot {
  /** What the provider deletes it by. */
  id: string;
  /** What Nightshift records for it (SandboxSnapshot.ref): a warm-start row holds this. */
  ref: string;
  /** The name carrying its owner (`nightshift-<purpose>-<deployment tag>-<session>-<time>`). */
  name: string;
  /** Milliseconds since the epoch; NaN when the provider does not say (counts as young). */
  createdAt: number;
}

/** Whether the listed snapshot is one this deployment made (its name says so, owner and all). */
export function isOwnSnapshot(name: string, deploymentTag: string): boolean {
  return parseSnapshotName(name)?.deploymentTag === deploymentTag;
}

export async function sweepOwnSnapshots(
  own: ListedSnapshot[],
  remove: (snapshot: ListedSnapshot) => Promise<unknown>,
  owners: SnapshotOwners,
  options: SnapshotSweepOptions,
): Promise<SnapshotSweepReport> {
  const report: SnapshotSweepReport = { checked: own.length, deleted: [], errors: 0 };
  const grace = options.graceMs ?? SNAPSHOT_SWEEP_GRACE_MS;
  const maxDeletes = options.maxDeletes ?? SNAPSHOT_MAX_DELETES;
  for (const snapshot of own) {
    if (report.deleted.length >= maxDeletes) break;
    // Without a creation time a snapshot counts as young: kept.
    if (!(options.now - snapshot.createdAt >= grace)) continue;
    let reason: SnapshotRemovalReason | null;
    try {
      reason = await removalReason(snapshot, owners, options.named);
    } catch {
      report.errors++;
      continue;
    }
    if (!reason) continue;
    try {
      await remove(snapshot);
      report.deleted.push({ name: snapshot.name, reason });
    } catch {
      report.errors++;
    }
  }
  return report;
}

async function removalReason(
  snapshot: ListedSnapshot,
  owners: SnapshotOwners,
  named: boolean,
): Promise<SnapshotRemovalReason | null> {
  const parsed = parseSnapshotName(snapshot.name);
  if (!parsed) return null;
  if (parsed.purpose === "warm")
    return named && !(await owners.warmInUse(snapshot.ref)) ? "warm snapshot unused" : null;
  const status = await owners.sessionStatus(parsed.sessionId);
  if (status === null) return named ? "session unknown" : null;
  return TERMINAL_STATUSES.has(status) ? "session ended" : null;
}
