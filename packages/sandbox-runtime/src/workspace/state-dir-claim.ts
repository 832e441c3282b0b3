/**
 * A state dir belongs to one session. A cloud provider's snapshot is the whole filesystem, so a
 * sandbox started from another session's snapshot (a warm start from a repository's prebuild)
 * finds that session's state dir: its event buffer, the agent's HOME, the setup hook's marker.
 * Before anything reads it, the runtime claims the dir: one another session owns is emptied, so
 * nothing of it reaches the new session. The session's own dir (a restarted runtime, a resume
 * from the session's own snapshot) is kept. The workdir is not touched: the warm path judges it.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** In the state dir: which session it belongs to. */
export const STATE_OWNER_FILE = "session-owner.json";

export type StateDirClaim = "fresh" | "own" | "emptied";

export function claimStateDir(stateDir: string, sessionId: string): StateDirClaim {
  mkdirSync(stateDir, { recursive: true });
  const owner = ownerOf(stateDir);
  if (owner === sessionId) return "own";
  const foreign = owner !== null;
  if (foreign) {
    // Entry by entry: the dir itself may be a mount point. rmSync removes a link, not its target.
    for (const entry of readdirSync(stateDir))
      rmSync(join(stateDir, entry), { recursive: true, force: true });
  }
  writeFileSync(join(stateDir, STATE_OWNER_FILE), `${JSON.stringify({ sessionId })}\n`, { mode: 0o600 });
  return foreign ? "emptied" : "fresh";
}

/** The owning session's id; null when the dir has no owner file (a new sandbox). */
function ownerOf(stateDir: string): string | null {
  const path = join(stateDir, STATE_OWNER_FILE);
  try {
    // A link or anything but a file, where the owner file should be, is not this session's.
    if (!lstatSync(path).isFile()) return "";
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    const id = (parsed as { sessionId?: unknown } | null)?.sessionId;
    return typeof id === "string" ? id : "";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    // Unreadable or not JSON: not provably this session's, so not kept.
    return "";
  }
}
