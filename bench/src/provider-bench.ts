/**
 * Create → ready through a cloud provider's double, shared by the Daytona and Modal benches: each
 * session is created on the rig's repository, ready is its `running` status (the runtime's hello on
 * the bridge), its one-reply turn is awaited, then it is stopped so the next one neither waits for a
 * slot nor leaves a sandbox. Nightshift's overhead = ready − the provider's simulated time.
 */
import type { CloudProviderRig } from "@nightshift/devstack";
import { StreamWatcher } from "@nightshift/devstack";
import { ms, summarize } from "./stats";

export interface ProviderBenchResult {
  /** The double's simulated provider time per create, in ms. */
  simulatedMs: number;
  createToReady: { n: number; p50: number; p99: number; max: number };
  overheadP50: number;
}

const running = (w: StreamWatcher) =>
  w.events.some((e) => e.event.type === "session.status" && e.event.status === "running");
const turnEnded = (w: StreamWatcher) => w.events.some((e) => e.event.type === "turn.end");

export async function measureCreateToReady(
  rig: CloudProviderRig,
  options: { provider: string; sessions: number; simulatedMs: number; log: (line: string) => void },
): Promise<ProviderBenchResult> {
  const { stack, user } = rig;
  const { provider, sessions, simulatedMs, log } = options;
  log(
    `${provider}: create → ready for ${sessions} sessions (simulated ${provider} time ${simulatedMs} ms)...`,
  );
  const readyTimes: number[] = [];
  for (let i = 0; i < sessions; i++) {
    stack.model!.enqueue({ kind: "text", text: "Ready." });
    const started = performance.now();
    const session = await rig.createSession("Say ready.");
    const w = await StreamWatcher.open(stack.url, session.id, 0, user.headers);
    await w.until("running", () => running(w), 60_000);
    readyTimes.push(performance.now() - started);
    await w
      .until("the first turn to end", () => turnEnded(w), 120_000)
      .catch((err: Error) => {
        const seen = w.events.map((e) =>
          e.event.type === "log" ? `log: ${e.event.text.trim()}` : e.event.type,
        );
        throw new Error(`${err.message}; the session streamed: ${seen.join(" | ")}`);
      });
    w.close();
    await fetch(`${stack.url}/api/v1/sessions/${session.id}/stop`, { method: "POST", headers: user.headers });
  }
  const ready = summarize(readyTimes);
  const overheadP50 = ready.p50 - simulatedMs;
  log(
    `${provider}: create → ready p50 ${ms(ready.p50)}, p99 ${ms(ready.p99)}, max ${ms(ready.max)}; Nightshift's overhead p50 ${ms(overheadP50)} on top of ${simulatedMs} ms simulated`,
  );
  return { simulatedMs, createToReady: ready, overheadP50 };
}
