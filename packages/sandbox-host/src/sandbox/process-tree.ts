/**
 * Process bookkeeping from /proc: the descendants of a pid and whether a pid is still alive.
 * Used to stop a "process"-isolation sandbox whole: its children may have moved to process
 * groups of their own (the runtime starts the agent CLI and hooks that way).
 */
import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name sits in parentheses and may contain spaces or parentheses itself.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "?", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** Every process below `root` (not including it), with its process group. */
export function descendantsOf(root: number): Array<{ pid: number; pgrp: number }> {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of allStats()) {
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(stat);
    byParent.set(stat.ppid, siblings);
  }
  const out: Array<{ pid: number; pgrp: number }> = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const child of byParent.get(parent) ?? []) {
      out.push({ pid: child.pid, pgrp: child.pgrp });
      queue.push(child.pid);
    }
  }
  return out;
}

/** Pids of live (not zombie) processes in a process group. */
export function membersOfGroup(pgrp: number): number[] {
  return allStats()
    .filter((stat) => stat.pgrp === pgrp && stat.state !== "Z")
    .map((stat) => stat.pid);
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== "Z";
}

export function signalQuietly(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}
