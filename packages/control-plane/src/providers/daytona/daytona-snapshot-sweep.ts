/**
 * Deletes Daytona snapshots Nightshift took and no longer needs, by the rules every provider shares
 * (../snapshot-sweep.ts). Daytona lists snapshots by a partial name match; only names of this
 * deployment's tag are judged, never one Daytona is already removing. Reads per run are bounded.
 */
import {
  isOwnSnapshot,
  type ListedSnapshot,
  type SnapshotOwners,
  type SnapshotSweepOptions,
  type SnapshotSweepReport,
  sweepOwnSnapshots,
} from "../snapshot-sweep";
import type { DaytonaClient } from "./daytona-client";
import { SNAPSHOT_NAME_PREFIX } from "./daytona-snapshots";

export type { SnapshotOwners, SnapshotSweepOptions, SnapshotSweepReport } from "../snapshot-sweep";

export const SNAPSHOT_PAGE_SIZE = 100;
export const SNAPSHOT_MAX_PAGES = 10;

export async function sweepDaytonaSnapshots(
  client: Pick<DaytonaClient, "listSnapshots" | "deleteSnapshot">,
  owners: SnapshotOwners,
  options: SnapshotSweepOptions & { maxPages?: number },
): Promise<SnapshotSweepReport> {
  const own = await listOwn(client, options);
  return sweepOwnSnapshots(own, (snapshot) => client.deleteSnapshot(snapshot.id), owners, options);
}

async function listOwn(
  client: Pick<DaytonaClient, "listSnapshots">,
  options: SnapshotSweepOptions & { maxPages?: number },
): Promise<ListedSnapshot[]> {
  const out: ListedSnapshot[] = [];
  const maxPages = options.maxPages ?? SNAPSHOT_MAX_PAGES;
  for (let page = 1; page <= maxPages; page++) {
    const answer = await client.listSnapshots(SNAPSHOT_NAME_PREFIX, page, SNAPSHOT_PAGE_SIZE);
    for (const snapshot of answer.items) {
      // Daytona's name filter is a partial match: the name is checked again here, owner and all.
      if (!isOwnSnapshot(snapshot.name, options.deploymentTag)) continue;
      if (snapshot.state === "removing") continue;
      const createdAt = snapshot.createdAt ? Date.parse(snapshot.createdAt) : Number.NaN;
      // Nightshift records a Daytona snapshot by its name.
      out.push({ id: snapshot.id, ref: snapshot.name, name: snapshot.name, createdAt });
    }
    if (page >= answer.totalPages || answer.items.length === 0) break;
  }
  return out;
}
