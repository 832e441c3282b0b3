/** Reads peak resident memory (VmHWM) of the processes in a process group, from /proc. */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessMemory {
  pid: number;
  command: string;
  peakRssMb: number;
  rssMb: number;
}

export function groupMemory(pgid: number): ProcessMemory[] {
  const result: ProcessMemory[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      result.push({
        pid: Number(entry),
        command: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
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
