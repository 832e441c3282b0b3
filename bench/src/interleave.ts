/**
 * Runs probes (request kinds) in interleaved rounds on the probe thread (probe-thread.ts) and
 * summarizes each. With `pace`, the thread stops after each request of that probe until
 * `settle(round)` has resolved, so the next request finds the server's background work done.
 */
import { Worker } from "node:worker_threads";
import type { ProbeRun, ProbeTally, ThreadReport } from "./probe-types";
import { summarize } from "./stats";

export interface ProbeResult extends Omit<ProbeTally, "samples"> {
  latency: ReturnType<typeof summarize>;
}

export async function runInterleaved(
  run: ProbeRun,
  settle?: (round: number) => Promise<void>,
): Promise<Record<string, ProbeResult>> {
  const thread = new Worker(new URL("./probe-thread.ts", import.meta.url), { workerData: run });
  const report = await new Promise<ThreadReport>((resolve, reject) => {
    thread.on("message", (m: { type: "sent"; round: number } | { type: "done"; report: ThreadReport }) => {
      if (m.type === "done") return resolve(m.report);
      if (!settle) return thread.postMessage("go");
      settle(m.round).then(
        () => thread.postMessage("go"),
        (error: unknown) => reject(error),
      );
    });
    thread.once("error", reject);
    thread.once("exit", (code) => reject(new Error(`the probe thread exited (${code}) before reporting`)));
  });
  await thread.terminate();
  return Object.fromEntries(
    run.probes.map((p, i) => {
      const { samples, ...tally } = report[i]!;
      return [p.name, { latency: summarize(samples), ...tally }];
    }),
  );
}
