/**
 * Pauses the runtime's child process groups (the agent CLI, a running hook) while the event
 * buffer is full, and resumes them when acks free room. The agent layer's `emit` is
 * synchronous and cannot wait, so the producer itself is stopped (SIGSTOP) instead: nothing is
 * dropped, and what was already in the pipes is still written. Linux only (reads /proc);
 * elsewhere it does nothing and says so once.
 */
import type { Logger } from "../log";
import { descendantsOf, processTable, readProcStat } from "./proc-table";

/**
 * Process groups of this process's descendants, other than our own group. Descendants, not only
 * children: the agent runs under bwrap (see inner-sandbox.ts) in a new session, so its group is
 * a grandchild's, and stopping bwrap alone would not stop it.
 */
export function childProcessGroups(parentPid: number = process.pid): number[] {
  const table = processTable() ?? [];
  const own = table.find((stat) => stat.pid === parentPid)?.pgrp ?? -1;
  const groups = descendantsOf(parentPid, table)
    .map((stat) => stat.pgrp)
    .filter((pgrp) => pgrp !== own && pgrp > 1);
  return [...new Set(groups)];
}

/** One-letter state of a process (R, S, T...), or null when it is gone. */
export function processState(pid: number): string | null {
  return readProcStat(pid)?.state ?? null;
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
