/** Reads peak resident memory (VmHWM) of the processes in a process group, from /proc. */
import { readFileSync } from "node:fs";
import { processTable } from "@nightshift/sandbox-runtime/proc-table";

export interface ProcessMemory {
  pid: number;
  command: string;
  peakRssMb: number;
  rssMb: number;
}

export function groupMemory(pgid: number): ProcessMemory[] {
  const result: ProcessMemory[] = [];
  for (const stat of processTable() ?? []) {
    if (stat.pgrp !== pgid) continue;
    try {
      const status = readFileSync(`/proc/${stat.pid}/status`, "utf8");
      const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      result.push({
        pid: stat.pid,
        command: stat.command,
        peakRssMb: kb("VmHWM") / 1024,
        rssMb: kb("VmRSS") / 1024,
      });
    } catch {
      // the process ended while we looked
    }
  }
  return result;
}

/** Peak RSS of the workerd process running the Worker (the DO's isolate lives there). */
export function workerdPeakMb(pgid: number): number {
  return Math.max(
    0,
    ...groupMemory(pgid)
      .filter((p) => p.command.includes("workerd"))
      .map((p) => p.peakRssMb),
  );
}
