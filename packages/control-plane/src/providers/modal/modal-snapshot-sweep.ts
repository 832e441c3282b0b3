/**
 * Deletes Modal filesystem snapshots Nightshift took and no longer needs, by the rules every
 * provider shares (../snapshot-sweep.ts). Modal cannot list images by owner, so our app keeps a
 * registry of the snapshots it took, each named after the sandbox's labels as Daytona's are
 * (`nightshift-<purpose>-<deployment tag>-<session>-<time>`), and lists that; only names of this
 * deployment's tag are judged. Nightshift records a Modal snapshot by its image id.
 */
import {
  isOwnSnapshot,
  type ListedSnapshot,
  type SnapshotOwners,
  type SnapshotSweepOptions,
  type SnapshotSweepReport,
  sweepOwnSnapshots,
} from "../snapshot-sweep";
import type { ModalSandboxProvider } from "./modal-provider";

export async function sweepModalSnapshots(
  provider: Pick<ModalSandboxProvider, "listSnapshots" | "deleteSnapshot">,
  owners: SnapshotOwners,
  options: SnapshotSweepOptions,
): Promise<SnapshotSweepReport> {
  const { snapshots } = await provider.listSnapshots();
  const own: ListedSnapshot[] = snapshots
    .filter((s) => isOwnSnapshot(s.name, options.deploymentTag))
    .map((s) => ({
      id: s.id,
      ref: s.id,
      name: s.name,
      createdAt: s.createdAt ? Date.parse(s.createdAt) : Number.NaN,
    }));
  return sweepOwnSnapshots(own, (snapshot) => provider.deleteSnapshot(snapshot.id), owners, options);
}
