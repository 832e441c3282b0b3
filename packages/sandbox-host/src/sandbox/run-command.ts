/**
 * Runs a short helper command (the bwrap self-test, hardened git): node's execFile with a time
 * limit and an output bound, so a hung or flooding command cannot hold the host. A command that
 * prints more than the bound is stopped and fails.
 */
import { type ExecFileException, execFile } from "node:child_process";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  /** The whole environment of the command; by default only the host's PATH. */
  env?: Record<string, string>;
  cwd?: string;
  /** Bytes of stdout and of stderr allowed each; past it the command is stopped. */
  maxBuffer?: number;
}

const DEFAULT_MAX_BUFFER = 1024 * 1024;

function stderrOf(error: ExecFileException | null, stderr: string): string {
  if (!error || typeof error.code === "number") return stderr;
  if (error.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")
    return `${stderr}\nthe command printed more than its output limit and was stopped`;
  if (error.killed) return `${stderr}\nthe command timed out and was stopped`;
  if (error.signal) return `${stderr}\nthe command was killed by ${error.signal}`;
  return `${stderr}${error.message}`; // it did not start (ENOENT, EACCES, ...)
}

export function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        env: options.env ?? { PATH: process.env.PATH ?? "" },
        encoding: "utf8",
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER,
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr: stderrOf(error, stderr) });
      },
    );
    child.stdin?.end(); // these commands read nothing: give them end-of-file, not a pipe left open
  });
}
