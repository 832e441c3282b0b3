/**
 * Where a sandbox's directories live on the host, where the sandbox sees them, and creating them
 * so the sandbox's uid can reach them and nobody else can.
 */
import { chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { SANDBOX_HOME_DIR, type SandboxPaths } from "./sandbox-paths";

interface Directories {
  work: string;
  home: string;
  state: string;
}

export interface SandboxLayout {
  dir: string;
  /** On the host. */
  paths: Directories;
  /** Where the sandbox sees them: under bubblewrap where the control plane said; a plain process has no mount namespace. */
  seen: Directories;
  /** A plain process's own temp dir; null under bubblewrap (it has a private /tmp). */
  tmpDir: string | null;
  /** A local repository's mirror, host-owned, never bound into the sandbox. */
  mirrorPath: string;
}

export function sandboxLayout(
  dataDir: string,
  id: string,
  bubblewrap: boolean,
  wanted: SandboxPaths,
): SandboxLayout {
  const dir = join(dataDir, id);
  const paths = { work: join(dir, "work"), home: join(dir, "home"), state: join(dir, "state") };
  return {
    dir,
    paths,
    seen: bubblewrap ? { work: wanted.workdir, home: SANDBOX_HOME_DIR, state: wanted.stateDir } : paths,
    tmpDir: bubblewrap ? null : join(dir, "tmp"),
    mirrorPath: join(dir, "repo.git"),
  };
}

/** With a sandbox uid, bwrap runs as that uid and must be able to reach its directories. */
export function createSandboxDirectories(layout: SandboxLayout, uid: number | undefined): void {
  mkdirSync(layout.dir, { recursive: true, mode: uid === undefined ? 0o700 : 0o711 });
  const { work, home, state } = layout.paths;
  for (const path of [work, home, state, ...(layout.tmpDir ? [layout.tmpDir] : [])]) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    if (uid !== undefined) chownSync(path, uid, uid);
  }
}
