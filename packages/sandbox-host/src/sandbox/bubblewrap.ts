/**
 * bubblewrap: finding it, checking that it works here (a self-test with the real flags), and
 * the argument list for one sandbox. Profile (see docs/sandbox-isolation.md):
 * read-only system directories, read-only tool directories (Node, the runtime, the agent
 * CLIs), read-write only for the sandbox's own directories (never a repository: git goes
 * through the control plane's proxy),
 * a tmpfs /tmp, every namespace unshared (the network too: the sandbox has only its own `lo`;
 * egress goes through the host's proxy socket, bound in read-only), no capabilities, a new
 * session, and death with the host. The environment is not passed with
 * --setenv: argv is world-readable in /proc, so the host hands bwrap the allowlisted
 * environment directly and bwrap passes it on.
 */
import { existsSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { runCommand } from "./run-command";
import type { ReadOnlyBind } from "./tool-view";

const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
/** Files under /etc that hold credentials; replaced by an empty file inside the sandbox. */
const MASKED_FILES = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers"];

export function findExecutable(name: string, pathVar: string | undefined = process.env.PATH): string | null {
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Flags every sandbox gets (and the self-test checks). */
export const ISOLATION_FLAGS = [
  "--unshare-all",
  "--die-with-parent",
  "--new-session",
  "--cap-drop",
  "ALL",
] as const;

function systemBinds(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) args.push("--ro-bind-try", dir, dir);
  for (const file of MASKED_FILES) if (existsSync(file)) args.push("--ro-bind", "/dev/null", file);
  return args;
}

export interface BubblewrapProfile {
  /** Read-only tool trees: a source on the host shown at `dest` (its own path, or a staged copy's). */
  readOnly: readonly ReadOnlyBind[];
  /** Files bound over system files after the system directories (the sandbox uid's passwd/group). */
  systemOverrides?: readonly ReadOnlyBind[];
  /** Read-write directories: the sandbox's own, each shown at `dest` (a fixed path, or its own). */
  readWrite: readonly ReadOnlyBind[];
  chdir: string;
  /** The command to run inside, e.g. [node, runtime.mjs]. */
  command: readonly string[];
  /** File descriptor bwrap writes its JSON info (child-pid) to. */
  infoFd?: number;
  /** The host's egress proxy socket and where it appears inside (read-only). */
  egressSocket?: { source: string; dest: string };
}

/** Drops binds whose destination is already covered by another bind in the list or by the system dirs. */
function withoutCovered(binds: readonly ReadOnlyBind[]): ReadOnlyBind[] {
  const roots = [...SYSTEM_DIRS, ...binds.map((b) => b.dest)];
  const seen = new Set<string>();
  return binds.filter((bind) => {
    if (seen.has(bind.dest)) return false;
    seen.add(bind.dest);
    return !roots.some((root) => root !== bind.dest && bind.dest.startsWith(`${root}/`));
  });
}

export function bubblewrapArgs(profile: BubblewrapProfile): string[] {
  const args = [...ISOLATION_FLAGS, ...systemBinds()];
  for (const file of profile.systemOverrides ?? []) args.push("--ro-bind", file.source, file.dest);
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  // After the tmpfs: sandbox paths may live under /tmp and must not be hidden by it.
  for (const bind of withoutCovered(profile.readOnly)) args.push("--ro-bind", bind.source, bind.dest);
  for (const bind of profile.readWrite) args.push("--bind", bind.source, bind.dest);
  if (profile.egressSocket) args.push("--ro-bind", profile.egressSocket.source, profile.egressSocket.dest);
  args.push("--chdir", profile.chdir);
  if (profile.infoFd !== undefined) args.push("--info-fd", String(profile.infoFd));
  args.push("--", ...profile.command);
  return args;
}

/**
 * The read-only tool directories a runtime needs: Node's install, the runtime's package (its
 * bundle and its node_modules links; just the bundle's directory when it is not in a package),
 * and the workspace node_modules those links point into (agent CLIs are installed there).
 */
export function toolDirectories(nodePath: string, runtimePath: string): string[] {
  const dirs = [dirname(dirname(realpathSync(nodePath)))];
  const bundleDir = dirname(realpathSync(runtimePath));
  const runtimeRoot = existsSync(join(dirname(bundleDir), "package.json")) ? dirname(bundleDir) : bundleDir;
  dirs.push(runtimeRoot);
  for (let dir = runtimeRoot; dir !== dirname(dir); dir = dirname(dir)) {
    const modules = join(dir, "node_modules");
    if (existsSync(join(modules, ".pnpm"))) {
      dirs.push(modules);
      break;
    }
  }
  return dirs;
}

/** The setpriv prefix that drops to `uid` (and the same gid) before bwrap runs. */
export function dropPrivilegesPrefix(uid: number): string[] {
  const setpriv = findExecutable("setpriv") ?? "setpriv";
  return [setpriv, `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--no-new-privs"];
}

export type SelfTest = { ok: true; bwrap: string } | { ok: false; reason: string };

/** Runs `true` inside a sandbox with the real flags; bubblewrap is used only when this passes. */
export async function selfTestBubblewrap(uid?: number): Promise<SelfTest> {
  const bwrap = findExecutable("bwrap");
  if (!bwrap) return { ok: false, reason: "bwrap is not installed (apt-get install bubblewrap)" };
  const truePath = findExecutable("true") ?? "/usr/bin/true";
  const args = [...ISOLATION_FLAGS, ...systemBinds(), "--proc", "/proc", "--dev", "/dev", "--", truePath];
  const command = uid === undefined ? [bwrap, ...args] : [...dropPrivilegesPrefix(uid), bwrap, ...args];
  const result = await runCommand(command[0]!, command.slice(1), 10_000);
  if (result.code === 0) return { ok: true, bwrap };
  return {
    ok: false,
    reason: `bwrap self-test failed (exit ${result.code}): ${result.stderr.trim().slice(0, 300)}`,
  };
}
