/**
 * Starting a CLI as the leader of its own process group and ending the whole group. Tools the
 * agent runs (shells, test runners, servers started with `&`) live in that group, so one signal
 * to the group reaches them all: SIGTERM first, SIGKILL for whatever is left after a grace period.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { Readable } from "node:stream";

export type GroupLeader = ChildProcessByStdio<null, Readable, Readable>;

export interface SpawnInGroupOptions {
  cwd: string;
  env: Record<string, string>;
}

/** Spawns `command` detached (a new process group led by it), stdin on /dev/null, stdout/stderr piped. */
export function spawnInGroup(command: string, args: string[], options: SpawnInGroupOptions): GroupLeader {
  return spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Members of the group that are still running, read from /proc: a member that already exited
 * stays a zombie until its parent reaps it, and orphans wait for PID 1 (which may reap late),
 * so "the group still answers kill(0)" is not "something still runs". Undefined without /proc.
 */
function runningMembers(pgid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  let running = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") running += 1;
  }
  return running;
}

/** True while any process of the group is still running. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: it exists but is not ours to signal; treat as alive so the caller does not lie about it.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return (runningMembers(pgid) ?? 1) > 0;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is the goal.
  }
}

/** Resolves once the group is gone or `timeoutMs` passed; polls, since a group has no exit event. */
async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** SIGTERM to the group, SIGKILL after `graceMs` if anything is left; resolves when it is gone. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  if (await waitForGroupExit(pgid, graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await waitForGroupExit(pgid, 5_000);
}
