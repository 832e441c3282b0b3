/**
 * One supervised run of a CLI: spawned as its own process group, stdout fed line by line to a
 * callback, stderr kept as a short tail (and handed out line by line), stopped on a wall-clock
 * limit or an abort signal, and always cleaned up: when it returns, no process the run started
 * is left — tools in their own sessions and things started in the background included (see
 * process-group.ts for how they are found).
 */
import { randomUUID } from "node:crypto";
import { LineSplitter } from "./line-splitter";
import {
  type GroupLeader,
  spawnInGroup,
  TURN_ID_VARIABLE,
  type TurnProcesses,
  terminateTurn,
} from "./process-group";

export interface SupervisedRunOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Text for the CLI's stdin, then end-of-file; /dev/null without it. */
  stdin?: string;
  timeoutMs: number;
  signal: AbortSignal;
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
  /** A stdout line over `maxLineBytes` was dropped. */
  onOversizeLine: (bytes: number) => void;
  maxLineBytes: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** After the CLI exits, how long its stdout may stay open (held by a background child) before the group is ended. */
  drainMs: number;
  /** Lines of stderr kept for error messages. */
  stderrTailLines: number;
}

export interface SupervisedRunResult {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Why we stopped it, if we did. */
  stoppedFor?: "timeout" | "cancelled";
  /** The process could not be started (EACCES, ENOENT...). */
  spawnError?: Error;
  stderrTail: string[];
}

export function runSupervised(options: SupervisedRunOptions): Promise<SupervisedRunResult> {
  return new Promise((resolve) => {
    const stderrTail: string[] = [];
    let stoppedFor: SupervisedRunResult["stoppedFor"];
    let spawnError: Error | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let child: GroupLeader;
    const turnId = randomUUID();
    let turn: TurnProcesses | undefined;

    const stdout = new LineSplitter({
      maxLineBytes: options.maxLineBytes,
      onLine: options.onStdoutLine,
      onOversize: options.onOversizeLine,
    });
    const stderr = new LineSplitter({
      maxLineBytes: options.maxLineBytes,
      onLine: (line) => {
        stderrTail.push(line);
        if (stderrTail.length > options.stderrTailLines) stderrTail.shift();
        options.onStderrLine(line);
      },
      onOversize: () => {},
    });

    const stop = (reason: "timeout" | "cancelled") => {
      if (stoppedFor || settled) return;
      stoppedFor = reason;
      if (turn) void terminateTurn(turn, options.killGraceMs);
    };
    const onAbort = () => stop("cancelled");
    const timeout = setTimeout(() => stop("timeout"), options.timeoutMs);

    const settle = async () => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(drainTimer);
      options.signal.removeEventListener("abort", onAbort);
      stdout.end();
      stderr.end();
      // Whatever the CLI left running in its group (a server started with `&`) ends with the turn.
      if (turn) await terminateTurn(turn, options.killGraceMs);
      resolve({ exitCode: exit.code, exitSignal: exit.signal, stoppedFor, spawnError, stderrTail });
    };

    try {
      child = spawnInGroup(options.command, options.args, {
        cwd: options.cwd,
        env: { ...options.env, [TURN_ID_VARIABLE]: turnId },
        ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      });
    } catch (error) {
      // spawn throws synchronously for bad arguments (e.g. a NUL byte in the prompt).
      clearTimeout(timeout);
      resolve({ exitCode: null, exitSignal: null, spawnError: error as Error, stderrTail });
      return;
    }
    if (child.pid !== undefined) turn = { pgid: child.pid, turnId };
    options.signal.addEventListener("abort", onAbort, { once: true });
    if (options.signal.aborted) stop("cancelled");

    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.once("error", (error) => {
      spawnError = error;
      void settle();
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      // stdout normally closes with the CLI; a background child holding it open must not hold the turn.
      drainTimer = setTimeout(() => {
        if (turn) void terminateTurn(turn, options.killGraceMs);
        child.stdout.destroy();
        child.stderr.destroy();
        void settle();
      }, options.drainMs);
    });
    child.once("close", () => void settle());
  });
}
