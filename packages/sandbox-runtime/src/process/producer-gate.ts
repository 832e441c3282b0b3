/**
 * Pauses the runtime's child process groups (the agent CLI, a running hook) while the event
 * buffer is full, and resumes them when acks free room. The agent layer's `emit` is
 * synchronous and cannot wait, so the producer itself is stopped (SIGSTOP) instead: nothing is
 * dropped, and what was already in the pipes is still written. Linux only (reads /proc);
 * elsewhere it does nothing and says so once.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Logger } from "../log";

/**
 * Process groups of this process's descendants, other than our own group. Descendants, not only
 * children: the agent runs under bwrap (see inner-sandbox.ts) in a new session, so its group is
 * a grandchild's, and stopping bwrap alone would not stop it.
 */
export function childProcessGroups(parentPid: number = process.pid): number[] {
  const own = processGroupOf(parentPid);
  const children = new Map<number, { pid: number; pgrp: number }[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: Number(entry), pgrp: stat.pgrp });
    children.set(stat.ppid, list);
  }
  const groups = new Set<number>();
  const pending = [parentPid];
  const seen = new Set<number>(pending);
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      if (child.pgrp !== own && child.pgrp > 1) groups.add(child.pgrp);
      pending.push(child.pid);
    }
  }
  return [...groups];
}

function readStat(pid: number): { ppid: number; pgrp: number; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "?", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null; // the process ended while we looked
  }
}

function processGroupOf(pid: number): number {
  return readStat(pid)?.pgrp ?? -1;
}

/** One-letter state of a process (R, S, T...), or null when it is gone. */
export function processState(pid: number): string | null {
  return readStat(pid)?.state ?? null;
}

export class ProducerGate {
  private paused: number[] = [];
  private warned = false;

  constructor(
    private readonly log: Logger,
    private readonly supported: boolean = process.platform === "linux",
  ) {}

  get isPaused(): boolean {
    return this.paused.length > 0;
  }

  /**
   * Known limit: the groups stopped here are orphaned (each producer leads its own session), so if a
   * member exits at the instant the group stops, the kernel sends the group SIGHUP + SIGCONT, which
   * ends a producer that does not handle SIGHUP. Rare (it needs an exit racing the stop); to be
   * replaced by a freezer that does not rely on job-control signals.
   */
  pause(): void {
    if (!this.supported) {
      if (!this.warned)
        this.log.warn("the event buffer is full and producers cannot be paused on this platform");
      this.warned = true;
      return;
    }
    const groups = childProcessGroups().filter((group) => !this.paused.includes(group));
    for (const group of groups) {
      if (this.signal(group, "SIGSTOP")) this.paused.push(group);
    }
    if (groups.length > 0)
      this.log.warn(`event buffer full: paused ${groups.length} process group(s) until acks free room`);
  }

  resume(): void {
    const groups = this.paused;
    this.paused = [];
    for (const group of groups) this.signal(group, "SIGCONT");
    if (groups.length > 0)
      this.log.info(`event buffer has room again: resumed ${groups.length} process group(s)`);
  }

  private signal(group: number, signal: NodeJS.Signals): boolean {
    try {
      process.kill(-group, signal);
      return true;
    } catch {
      return false; // the group has already exited
    }
  }
}
