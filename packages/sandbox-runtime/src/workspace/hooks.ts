/**
 * Repository hooks: `.nightshift/setup.sh` runs once per workspace (a marker in the state dir
 * remembers it ran) and `.nightshift/start.sh` on every start. Each runs with bash in the
 * workdir, in its own process group, under a time limit; its output streams as `log` events.
 * A failed setup fails the start; a failed start hook is reported and the session goes on.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emit } from "../events/event-sink";
import type { Logger } from "../log";
import { type ChildLauncher, childLauncher } from "../process/inner-sandbox";
import { createOutputStreamer } from "../process/output-streamer";

export type HookName = "setup" | "start";

export interface HookResult {
  ran: boolean;
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
}

export interface RunHookOptions {
  name: HookName;
  workdir: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  log: Logger;
  /** Time between SIGTERM and SIGKILL when the hook runs over its limit. */
  killGraceMs?: number;
  /** The agent's HOME: writable inside the inner sandbox. */
  home?: string;
  /** The runtime's own directories, hidden from the hook (see process/inner-sandbox.ts). */
  hiddenPaths?: readonly string[];
  /** How the hook is started: inside the inner sandbox when it works here (the default). */
  launcher?: ChildLauncher;
}

export function hookPath(workdir: string, name: HookName): string {
  return join(workdir, ".nightshift", `${name}.sh`);
}

export async function runHook(options: RunHookOptions): Promise<HookResult> {
  const script = hookPath(options.workdir, options.name);
  if (!existsSync(script)) return { ran: false, ok: true, exitCode: null, timedOut: false };
  const { emit, name } = options;
  const source = name;
  emit({ type: "log", source, stream: "stdout", text: `running .nightshift/${name}.sh\n` });
  const started = Date.now();
  // The repository's code: it runs where the agent runs, never beside the runtime.
  const launch = await (options.launcher ?? childLauncher).launch(
    "bash",
    [script],
    {
      cwd: options.workdir,
      writable: options.home ? [options.home] : [],
      hidden: options.hiddenPaths ?? [],
      tmpDir: options.env.TMPDIR,
    },
    (text) => emit({ type: "log", source: "nightshift", stream: "stderr", text }),
  );

  return new Promise((resolve) => {
    const child = spawn(launch.command, launch.args, {
      cwd: options.workdir,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Own process group: a timeout kills everything the hook started, and the gate can pause it.
      detached: true,
    });
    const out = createOutputStreamer({ source, stream: "stdout", emit });
    const err = createOutputStreamer({ source, stream: "stderr", emit });
    child.stdout.on("data", (chunk: Buffer) => out.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.write(chunk));

    let timedOut = false;
    let killTimer: NodeJS.Timeout | null = null;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const limit = setTimeout(() => {
      timedOut = true;
      signalGroup("SIGCONT"); // a paused hook must be able to act on TERM
      signalGroup("SIGTERM");
      killTimer = setTimeout(() => signalGroup("SIGKILL"), options.killGraceMs ?? 5000);
    }, options.timeoutMs);

    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      if (killTimer) clearTimeout(killTimer);
      out.end();
      err.end();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ok = !timedOut && exitCode === 0;
      if (ok) {
        emit({
          type: "log",
          source,
          stream: "stdout",
          text: `.nightshift/${name}.sh finished in ${seconds} s\n`,
        });
      } else {
        const why = timedOut
          ? `timed out after ${options.timeoutMs} ms (raise NIGHTSHIFT_HOOK_TIMEOUT_MS or make the hook faster)`
          : `failed with exit code ${exitCode ?? `signal ${signal}`}`;
        const next =
          name === "setup" ? "; the sandbox cannot start until the hook succeeds" : "; the session continues";
        const message = `.nightshift/${name}.sh ${why}${next}`;
        emit({ type: "error", code: `${name}_hook_failed`, message });
        options.log.warn(message);
      }
      resolve({ ran: true, ok, exitCode, timedOut });
    };
    child.on("error", (error) => {
      emit({ type: "log", source, stream: "stderr", text: `cannot run bash: ${error.message}\n` });
      finish(null, null);
    });
    child.on("exit", (code, signal) => {
      // Background processes the hook started may hold the pipes open: wait briefly for the
      // rest of the output, then stop forwarding but keep draining so they never block.
      const settle = setTimeout(() => {
        child.stdout.removeAllListeners("data").resume();
        child.stderr.removeAllListeners("data").resume();
        finish(code, signal);
      }, 500);
      child.on("close", () => {
        clearTimeout(settle);
        finish(code, signal);
      });
    });
  });
}

export interface RunStartHooksOptions extends Omit<RunHookOptions, "name"> {
  stateDir: string;
}

/** setup (once per workspace) then start; false when setup failed, which fails the start. */
export async function runStartHooks(options: RunStartHooksOptions): Promise<boolean> {
  const marker = join(options.stateDir, "setup-hook.done");
  if (!existsSync(marker)) {
    const setup = await runHook({ ...options, name: "setup" });
    if (!setup.ok) return false;
    writeFileSync(marker, new Date().toISOString());
  }
  await runHook({ ...options, name: "start" });
  return true;
}
