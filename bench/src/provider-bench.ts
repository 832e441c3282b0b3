/**
 * Create → ready through a cloud provider's double, shared by the Daytona and Modal benches: each
 * session is created on the rig's repository, ready is its `running` status (the runtime's hello on
 * the bridge and its workspace ready), its one-reply turn is awaited, then it is stopped so the
 * next one neither waits for a slot nor leaves a sandbox. Nightshift's overhead = ready − the
 * provider's simulated time. Each create is also broken down into steps from the double's own
 * record of when each provider call arrived (`marks`): the control plane's share before the
 * provider is called, the provider calls, and the runtime's boot after the last of them.
 */
import type { CloudProviderRig } from "@nightshift/devstack";
import { StreamWatcher, stopSession } from "@nightshift/devstack";
import { ms, summarize } from "./stats";

export interface ProviderBenchResult {
  /** The double's simulated provider time per create, in ms. */
  simulatedMs: number;
  createToReady: { n: number; p50: number; p99: number; max: number };
  overheadP50: number;
  /** p50 of each step of the create path, in order (the last ends at `running`). */
  steps: { step: string; p50: number }[];
}

/** A moment on a session's create path, read from the double's request log (ms since the epoch). */
export interface Mark {
  /** The step that ends here ("the provider's create arrives"). */
  step: string;
  at: number;
}

const turnEnded = (w: StreamWatcher) => w.events.some((e) => e.event.type === "turn.end");
const streamed = (w: StreamWatcher) =>
  w.events
    .map((e) => {
      if (e.event.type === "log") return `log: ${e.event.text.trim()}`;
      if (e.event.type === "session.status") return `status ${e.event.status}`;
      return e.event.type;
    })
    .join(" | ");

export async function measureCreateToReady(
  rig: CloudProviderRig,
  options: {
    provider: string;
    sessions: number;
    simulatedMs: number;
    log: (line: string) => void;
    /** The marks of this session's create, in order; the step after the last ends at `running`. */
    marks: (sessionId: string) => Mark[];
    /** What the step from the last mark to `running` is. */
    lastStep: string;
  },
): Promise<ProviderBenchResult> {
  const { stack, user } = rig;
  const { provider, sessions, simulatedMs, log } = options;
  log(
    `${provider}: create → ready for ${sessions} sessions (simulated ${provider} time ${simulatedMs} ms)...`,
  );
  const readyTimes: number[] = [];
  const stepTimes = new Map<string, number[]>();
  for (let i = 0; i < sessions; i++) {
    stack.model!.enqueue({ kind: "text", text: "Ready." });
    const started = performance.now();
    const startedAt = Date.now();
    const session = await rig.createSession("Say ready.");
    const w = await StreamWatcher.open(stack.url, session.id, 0, user.headers);
    await w
      .until("running", () => w.sawStatus("running"), 60_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}; the session streamed: ${streamed(w)}`);
      });
    readyTimes.push(performance.now() - started);
    const readyAt = Date.now();
    let previous = startedAt;
    for (const mark of [...options.marks(session.id), { step: options.lastStep, at: readyAt }]) {
      stepTimes.set(mark.step, [...(stepTimes.get(mark.step) ?? []), mark.at - previous]);
      previous = mark.at;
    }
    await w
      .until("the first turn to end", () => turnEnded(w), 120_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}; the session streamed: ${streamed(w)}`);
      });
    w.close();
    await stopSession({ url: stack.url, headers: user.headers }, session.id);
  }
  const ready = summarize(readyTimes);
  const overheadP50 = ready.p50 - simulatedMs;
  log(
    `${provider}: create → ready p50 ${ms(ready.p50)}, p99 ${ms(ready.p99)}, max ${ms(ready.max)}; Nightshift's overhead p50 ${ms(overheadP50)} on top of ${simulatedMs} ms simulated`,
  );
  const steps = [...stepTimes].map(([step, times]) => ({ step, p50: summarize(times).p50 }));
  for (const { step, p50 } of steps) log(`${provider}:   ${step}: p50 ${ms(p50)}`);
  return { simulatedMs, createToReady: ready, overheadP50, steps };
}
