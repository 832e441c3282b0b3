/**
 * When a warm snapshot may be used and when a new prebuild is worth starting, decided without
 * I/O. A snapshot is fresh while it is younger than the maximum age (WARM_START_MAX_AGE_HOURS,
 * default 24) and, when a push told us the default branch's head, built at that head. A stale
 * snapshot is not used (the session starts cold); the push that made it stale already asked
 * for a rebuild, and the schedule refreshes it before it ages out.
 */

import type { WarmSnapshotRow } from "../db/repositories/warm";
import type { Bindings } from "../env";

export const DEFAULT_MAX_AGE_HOURS = 24;

/** A prebuild still `building` after this long is taken for dead: a new trigger may start another. */
export const BUILD_STALE_MS = 30 * 60_000;
/** The schedule rebuilds at this fraction of the maximum age, so a fresh snapshot is there before the old one ages out. */
const REFRESH_FRACTION = 0.8;

export function maxAgeMs(env: Pick<Bindings, "WARM_START_MAX_AGE_HOURS">): number {
  const hours = Number(env.WARM_START_MAX_AGE_HOURS ?? DEFAULT_MAX_AGE_HOURS);
  const valid = Number.isFinite(hours) && hours > 0 && hours <= 24 * 30 ? hours : DEFAULT_MAX_AGE_HOURS;
  return valid * 3_600_000;
}

export function refreshAfterMs(maxAge: number): number {
  return Math.round(maxAge * REFRESH_FRACTION);
}

export interface FreshSnapshot {
  ref: string;
  commit: string;
}

type SnapshotFields = Pick<WarmSnapshotRow, "ref" | "commit" | "builtAt" | "headCommit">;

/** The snapshot a new session may start from, or null (none yet, too old, or behind the head). */
export function freshSnapshot(row: SnapshotFields | null, now: number, maxAge: number): FreshSnapshot | null {
  if (!row?.ref || !row.commit || !row.builtAt) return null;
  const age = now - Date.parse(row.builtAt);
  if (!Number.isFinite(age) || age > maxAge || age < -60_000) return null;
  if (row.headCommit && row.headCommit !== row.commit) return null;
  return { ref: row.ref, commit: row.commit };
}

export type BuildDecision = { build: true } | { build: false; why: string };

/** Whether a trigger should start a prebuild now (`head`: the default branch's head, when a push named it). */
export function shouldBuild(
  row: Pick<WarmSnapshotRow, "state" | "buildStartedAt" | "ref" | "commit" | "builtAt" | "headCommit"> | null,
  now: number,
  maxAge: number,
  head: string | null,
): BuildDecision {
  if (!row) return { build: true };
  if (row.state === "building" && row.buildStartedAt && now - Date.parse(row.buildStartedAt) < BUILD_STALE_MS)
    return { build: false, why: "a prebuild of this repository is already running" };
  const fresh = freshSnapshot({ ...row, headCommit: head ?? row.headCommit }, now, maxAge);
  if (head && fresh && fresh.commit === head)
    return { build: false, why: `the snapshot is already built at ${head.slice(0, 12)}` };
  return { build: true };
}
