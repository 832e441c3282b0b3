/**
 * Runs a short command (git) and collects its output, with a time limit and bounded capture so
 * a noisy command cannot grow memory. Long-lived children (hooks, the agent) do not use this.
 */
import { spawn } from "node:child_process";

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Called with each stderr chunk as it arrives (progress output). */
  onStderr?(chunk: Buffer): void;
  /** Bytes of stdout and of stderr kept each (the tail is kept). */
  maxCapture?: number;
}

function appendBounded(current: string, chunk: string, max: number): string {
  const next = current + chunk;
  return next.length > max ? next.slice(next.length - max) : next;
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const max = options.maxCapture ?? 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? null
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      stdout = appendBounded(stdout, chunk, max);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      options.onStderr?.(chunk);
      stderr = appendBounded(stderr, chunk.toString("utf8"), max);
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // the command may exit without reading all of it
      child.stdin.end(options.input);
    }
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut });
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
