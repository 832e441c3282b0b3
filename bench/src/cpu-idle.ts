/**
 * Waits until a process has used no CPU for a while, read from /proc/<pid>/stat (user + system
 * time, in clock ticks of 10 ms): the paced automation ack run starts each timed request only when
 * the Worker's workerd has finished the work the previous delivery left behind.
 */
import { readFileSync } from "node:fs";
import { waitFor } from "@nightshift/testkit/wait-for";

/** CLK_TCK on Linux: /proc reports CPU time in hundredths of a second. */
const TICK_MS = 10;

export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command (which may hold spaces): state is the 1st, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Resolves once `pid` used no CPU for `quietMs`; throws after `timeoutMs`. */
export async function waitForIdleCpu(pid: number, quietMs: number, timeoutMs: number): Promise<void> {
  let last = cpuTicks(pid);
  let quietSince = performance.now();
  await waitFor(
    () => {
      const now = cpuTicks(pid);
      if (now !== last) {
        last = now;
        quietSince = performance.now();
      }
      return performance.now() - quietSince >= quietMs;
    },
    `process ${pid} to use no CPU for ${quietMs} ms`,
    timeoutMs,
    TICK_MS,
  );
}
