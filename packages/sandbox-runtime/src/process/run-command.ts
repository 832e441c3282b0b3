/**
 * Runs a short command (git) and collects its output: node's execFile with a time limit and an
 * output bound, so neither a hung nor a flooding command can hold the runtime. A command that
 * prints more than the bound is stopped (it is misbehaving; its output would be cut anyway).
 * Long-lived children (hooks, the agent) do not use this.
 */
import { type ExecFileException, execFile } from "node:child_process";

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
  /** Bytes of stdout and of stderr allowed each; past it the command is stopped. */
  maxBuffer?: number;
}

export const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;

const OUTPUT_LIMIT_CODE = "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";

function resultOf(error: ExecFileException | null, stdout: string, stderr: string): CommandResult {
  if (!error) return { code: 0, signal: null, stdout, stderr, timedOut: false };
  if (error.code === OUTPUT_LIMIT_CODE) {
    const note = "the command printed more than its output limit and was stopped";
    return { code: null, signal: "SIGKILL", stdout, stderr: `${stderr}\n${note}`, timedOut: false };
  }
  const signal = (error.signal as NodeJS.Signals | undefined) ?? null;
  // execFile sets `killed` when it sent the signal itself; the only other reason here is the timeout.
  const timedOut = error.killed === true;
  if (typeof error.code === "number") return { code: error.code, signal, stdout, stderr, timedOut };
  // Killed by a signal (code null) or not started at all (code "ENOENT", ...: say why in stderr).
  const why = signal || timedOut ? "" : `${stderr ? "\n" : ""}${error.message}`;
  return { code: null, signal, stdout, stderr: `${stderr}${why}`, timedOut };
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        encoding: "utf8",
        maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER,
        killSignal: "SIGKILL",
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      },
      (error, stdout, stderr) => resolve(resultOf(error, stdout, stderr)),
    );
    if (options.onStderr) {
      const onStderr = options.onStderr;
      child.stderr?.on("data", (chunk: string | Buffer) => onStderr(Buffer.from(chunk)));
    }
    // The command may exit without reading all of its input.
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input);
  });
}
