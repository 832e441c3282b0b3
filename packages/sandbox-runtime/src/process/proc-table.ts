/**
 * The process table as Linux's /proc shows it: one process's stat line, every process's, and the
 * processes below one. Used to end a turn's processes, to pause the producers of a full buffer,
 * and by the dev stack to find the Worker's own workerd. Elsewhere (no /proc) it sees nothing.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** One letter: R, S, D, T, Z... */
  state: string;
  /** The command name as the kernel keeps it (at most 15 bytes). */
  command: string;
}

/** /proc/<pid>/stat, or null when the process is gone (or there is no /proc). */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return {
    pid,
    command: text.slice(text.indexOf("(") + 1, close),
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
  };
}

/** Whether the process's environment holds `entry` ("NAME=value"); false once it is gone. */
export function environHolds(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(entry);
  } catch {
    return false;
  }
}

/** Every running process, read in one pass (one that ends meanwhile is left out); null without /proc. */
export function processTable(): ProcStat[] | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  const table: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat) table.push(stat);
  }
  return table;
}

/** Every process below `root` (not `root` itself), parents before their children. */
export function descendantsOf(root: number, table: readonly ProcStat[] = processTable() ?? []): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of table) {
    const siblings = byParent.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else byParent.set(stat.ppid, [stat]);
  }
  const found: ProcStat[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      // A pid seen twice (reused while the table was read) must not loop.
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}
