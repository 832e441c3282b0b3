/**
 * Which uid a root host runs its sandboxes as. Root inside the outer sandbox cannot start the
 * runtime's inner sandbox for the agent (the kernel refuses a nested user namespace that maps
 * root without CAP_SETFCAP, and privileged bwrap covers parts of /proc so no fresh /proc can be
 * mounted beneath it), so a root host drops sandboxes to an unprivileged uid by default. The
 * drop needs the sandbox directories to be reachable by that uid; where they are not (a data
 * directory under a root-private parent) the host keeps root and says what that costs.
 */
import { searchableBy } from "./tool-view";

/** Not a login uid on common systems; sandboxes get a passwd entry for it (tool-view.ts). */
export const DEFAULT_SANDBOX_UID = 1777;

export type SandboxUidChoice = { uid: number | undefined; explicit: boolean; note: string | null };

export function chooseSandboxUid(input: {
  requested: number | undefined;
  isRoot: boolean;
  dataDir: string;
}): SandboxUidChoice {
  if (!input.isRoot) return { uid: undefined, explicit: false, note: null };
  if (input.requested === 0) {
    return {
      uid: undefined,
      explicit: true,
      note: "sandboxes run as root (--sandbox-uid 0): the agent shares the runtime's uid and the runtime cannot start its inner sandbox",
    };
  }
  if (input.requested !== undefined) return { uid: input.requested, explicit: true, note: null };
  if (searchableBy(input.dataDir, DEFAULT_SANDBOX_UID, DEFAULT_SANDBOX_UID)) {
    return { uid: DEFAULT_SANDBOX_UID, explicit: false, note: null };
  }
  return {
    uid: undefined,
    explicit: false,
    note: `sandboxes run as root: uid ${DEFAULT_SANDBOX_UID} cannot reach the data directory ${input.dataDir} (a parent directory is not searchable by other users), so the agent shares the runtime's uid; pass --data-dir under a directory every user can search (e.g. /var/tmp), or --sandbox-uid 0 to say root is intended`,
  };
}
