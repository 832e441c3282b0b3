/** Finding processes from the test's side of the PID namespace (pids printed inside a sandbox mean nothing here). */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of running (not zombie) processes whose argv is exactly `argv`. */
export function processesRunning(argv: readonly string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8") === wanted) found.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return found;
}
