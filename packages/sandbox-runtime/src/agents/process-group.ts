/**
 * Starting a CLI as the leader of its own process group, and ending everything a turn started.
 *
 * The group alone is not enough: Claude Code runs each Bash tool call in a new session
 * (`setsid`), so a tool's processes leave the CLI's group, and once the CLI exits they are
 * reparented to PID 1. What they all keep is the environment, so each turn's CLI gets a unique
 * `NIGHTSHIFT_TURN_ID`, and ending a turn means: every running process that is in the CLI's group
 * or carries that id gets SIGTERM, and SIGKILL after a grace period. Without /proc (not Linux)
 * only the group is signalled.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { environHolds, processTable } from "../process/proc-table";

export type GroupLeader = ChildProcessByStdio<Writable | null, Readable, Readable>;

/** The variable carrying a turn's id into every process the turn starts. */
export const TURN_ID_VARIABLE = "NIGHTSHIFT_TURN_ID";

export interface SpawnInGroupOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to the CLI's stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
}

/** Spawns `command` detached (a new process group led by it), stdin on /dev/null (or the given text), stdout/stderr piped. */
export function spawnInGroup(command: string, args: string[], options: SpawnInGroupOptions): GroupLeader {
  const base = { cwd: options.cwd, env: options.env, detached: true };
  if (options.stdin === undefined)
    return spawn(command, args, { ...base, stdio: ["ignore", "pipe", "pipe"] });
  const child = spawn(command, args, { ...base, stdio: ["pipe", "pipe", "pipe"] });
  // A CLI that exits without reading it all gives EPIPE: its exit is what the runner judges, not this.
  child.stdin.on("error", () => {});
  child.stdin.end(options.stdin);
  return child;
}

/** Who belongs to a turn: the CLI's process group, and (when given) the processes carrying its id. */
export interface TurnProcesses {
  pgid: number;
  turnId?: string;
}

/**
 * The turn's processes that are still running, from /proc; undefined without /proc. Zombies
 * (exited, not yet reaped — orphans wait for PID 1, which may reap late) do not count.
 */
export function runningTurnProcesses(turn: TurnProcesses): number[] | undefined {
  const table = processTable();
  if (!table) return undefined;
  return table
    .filter((stat) => stat.pid !== process.pid && stat.state !== "Z" && stat.state !== "X")
    .filter(
      (stat) =>
        stat.pgrp === turn.pgid ||
        (turn.turnId !== undefined && environHolds(stat.pid, `${TURN_ID_VARIABLE}=${turn.turnId}`)),
    )
    .map((stat) => stat.pid);
}

function groupAnswers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True while any process of the turn is still running. */
export function turnAlive(turn: TurnProcesses): boolean {
  const running = runningTurnProcesses(turn);
  return running === undefined ? groupAnswers(turn.pgid) : running.length > 0;
}

function signalTurn(turn: TurnProcesses, signal: NodeJS.Signals): void {
  const targets = new Set(runningTurnProcesses(turn) ?? []);
  try {
    process.kill(-turn.pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
  for (const pid of targets) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** Resolves once nothing of the turn runs, or false after `timeoutMs`; polls, as there is no exit event for this. */
async function waitForTurnExit(turn: TurnProcesses, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (turnAlive(turn)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  return true;
}

/** SIGTERM to everything of the turn, SIGKILL after `graceMs` to whatever is left; resolves when all is gone. */
export async function terminateTurn(turn: TurnProcesses, graceMs: number): Promise<void> {
  if (!turnAlive(turn)) return;
  signalTurn(turn, "SIGTERM");
  if (await waitForTurnExit(turn, graceMs)) return;
  signalTurn(turn, "SIGKILL");
  await waitForTurnExit(turn, 5_000);
}
