/**
 * Child processes the stack starts: spawned in their own process group, their output
 * prefixed and forwarded (or kept for diagnostics), and stopped by pid, group first.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, for error messages when it dies early. */
  recentOutput(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Forward output to this process's stdout with a `[name]` prefix. */
  echo?: boolean;
}

const KEEP_LINES = 60;

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: StartOptions = {},
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  const onData = (data: Buffer) => {
    const text = data.toString();
    for (const line of text.split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
    if (options.echo) process.stdout.write(text.replace(/^(?=.)/gm, `[${name}] `));
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return {
    name,
    child,
    recentOutput: () => lines.join("\n"),
    stop: () => stopProcess(child),
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child.pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child.pid!, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Polls `check` until it returns true, failing with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  died?: ManagedProcess,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died && (died.child.exitCode !== null || died.child.signalCode !== null)) {
      throw new Error(`${died.name} exited before ${what}:\n${died.recentOutput()}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${died ? `:\n${died.recentOutput()}` : ""}`,
  );
}
