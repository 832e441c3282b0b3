/**
 * The inner sandbox: the agent CLI and the repository's hooks run under a nested bubblewrap, so
 * nothing they start can reach the runtime. In there:
 * - a PID namespace with a fresh /proc: the runtime's process (its environment, its memory, the
 *   sandbox token in them) does not exist;
 * - the runtime's state directory (event buffer, markers) is an empty tmpfs, except the agent's
 *   HOME inside it; the filesystem is read-only apart from the workdir, HOME and the temp dir;
 * - no capabilities, a new session (no terminal to inject into), death with the runtime;
 * - the runtime's network namespace, shared: the egress forwarder on the sandbox's loopback is
 *   where the agent's traffic must go.
 * Killing bwrap tears the namespace down, so nothing the agent started outlives its run.
 *
 * Whether it works is found once by a self-test with the real flags. Nested bubblewrap needs a
 * user namespace the runtime may create (the outer sandbox must not run as uid 0 without
 * CAP_SETFCAP, see the ADR); when it cannot, the agent runs as before and the caller says so.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";

export interface InnerSandboxLayout {
  /** The working directory of the command (bound read-write). */
  cwd: string;
  /** Other read-write paths (the agent's HOME). */
  writable: readonly string[];
  /** Paths replaced by an empty tmpfs (the runtime's state dir); writable paths inside stay visible. */
  hidden: readonly string[];
  /** Environment variables whose values are extra writable dirs when set (TMPDIR). */
  tmpDir?: string | undefined;
}

export interface InnerSandbox {
  /** The path of bwrap. */
  readonly bwrap: string;
  /** `command args` wrapped to run inside the inner sandbox. */
  wrap(
    command: string,
    args: readonly string[],
    layout: InnerSandboxLayout,
  ): { command: string; args: string[] };
}

export type InnerSandboxProbe = { ok: true; sandbox: InnerSandbox } | { ok: false; reason: string };

/** What the agent is told when it runs without the inner sandbox (a `log` event, once). */
export const NO_INNER_SANDBOX_WARNING = "the agent can read the runtime's memory: no inner sandbox";

const NAMESPACE_FLAGS = [
  "--unshare-all",
  // The egress forwarder listens on the sandbox's loopback: the agent must reach it.
  "--share-net",
  "--die-with-parent",
  "--new-session",
  "--cap-drop",
  "ALL",
] as const;

const BWRAP_CANDIDATES = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function innerSandboxArgs(layout: InnerSandboxLayout): string[] {
  const args: string[] = [...NAMESPACE_FLAGS, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];
  // The temp dirs first: the state dir and the workdir may live under them (tests do).
  for (const dir of ["/tmp", layout.tmpDir]) {
    if (dir && existsSync(dir)) args.push("--bind", dir, dir);
  }
  for (const dir of layout.hidden) args.push("--tmpfs", dir);
  for (const dir of [...layout.writable, layout.cwd]) args.push("--bind", dir, dir);
  args.push("--chdir", layout.cwd);
  return args;
}

function createInnerSandbox(bwrap: string): InnerSandbox {
  return {
    bwrap,
    wrap(command, args, layout) {
      return { command: bwrap, args: [...innerSandboxArgs(layout), "--", command, ...args] };
    },
  };
}

function selfTest(bwrap: string): Promise<InnerSandboxProbe> {
  const args = [...innerSandboxArgs({ cwd: "/", writable: [], hidden: [] }), "--", "/bin/sh", "-c", "exit 0"];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: 10_000, env: { PATH: "/usr/bin:/bin" } }, (error, _out, stderr) => {
      if (!error) resolve({ ok: true, sandbox: createInnerSandbox(bwrap) });
      else
        resolve({
          ok: false,
          reason: `bwrap self-test failed: ${String(stderr).trim().slice(0, 200) || error.message}`,
        });
    });
  });
}

let cached: Promise<InnerSandboxProbe> | undefined;

/** Finds bwrap and checks that a nested sandbox starts here; the answer is kept for the process's life. */
export function probeInnerSandbox(): Promise<InnerSandboxProbe> {
  cached ??= (async () => {
    const bwrap = BWRAP_CANDIDATES.find(isExecutable);
    if (!bwrap) return { ok: false, reason: "bwrap is not installed in the sandbox" };
    return selfTest(bwrap);
  })();
  return cached;
}

/**
 * How a child (agent turn or hook) is launched: through the inner sandbox when there is one,
 * directly otherwise — and then `warn` is called, once per launcher (one per runtime process).
 */
export interface ChildLauncher {
  launch(
    command: string,
    args: readonly string[],
    layout: InnerSandboxLayout,
    warn: (message: string) => void,
  ): Promise<{ command: string; args: string[]; sandboxed: boolean }>;
}

export function createChildLauncher(
  probe: () => Promise<InnerSandboxProbe> = probeInnerSandbox,
): ChildLauncher {
  let warned = false;
  return {
    async launch(command, args, layout, warn) {
      const result = await probe();
      if (result.ok) return { ...result.sandbox.wrap(command, args, layout), sandboxed: true };
      if (!warned) {
        warned = true;
        warn(`${NO_INNER_SANDBOX_WARNING} (${result.reason})`);
      }
      return { command, args: [...args], sandboxed: false };
    },
  };
}

/** The runtime's launcher: the agent's turns and the hooks share it, so the warning comes once. */
export const childLauncher: ChildLauncher = createChildLauncher();
