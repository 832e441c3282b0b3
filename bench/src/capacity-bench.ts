/**
 * Capacity benchmark (issue 11 §6): more sessions at once than the sandbox host runs. Starts
 * BENCH_CAPACITY_SESSIONS (50) sessions together against the full local stack (Worker under
 * wrangler dev, sandbox host with its default 20 sandboxes, the real `claude` CLI, the scripted
 * model) and waits until every one's turn has ended. None may fail: the ones beyond the host's
 * slots wait as `queued` and start as slots free.
 *
 * Each session is stopped once its turn ends, as a script that wanted one answer would, so a slot
 * frees right away (BENCH_CAPACITY_STOP=0 leaves them idle: an idle session whose slot is wanted
 * then releases it after a minute). Reports how many finished, the time until all had, the
 * longest queue, and the wait in the queue (first `queued` → `starting`, server clock).
 */

import { createDemoRepo, StreamWatcher, startStack } from "@nightshift/devstack";
import type { StoredEvent } from "@nightshift/protocol";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const SESSIONS = Number(process.env.BENCH_CAPACITY_SESSIONS ?? 50);
const STOP_WHEN_DONE = process.env.BENCH_CAPACITY_STOP !== "0";
/** Generous: 50 real CLI turns through 20 slots on a shared 2-core machine. */
const ALL_DONE_TIMEOUT_MS = Number(process.env.BENCH_CAPACITY_TIMEOUT_MS ?? 20 * 60_000);

export interface CapacityBenchResult {
  sessions: number;
  finished: number;
  failed: number;
  allDoneMs: number;
  maxQueueLength: number;
  queueWait: { waited: number; p50: number; p95: number; max: number };
  stopWhenDone: boolean;
}

const statusAt = (events: StoredEvent[], status: string) =>
  events.find((e) => e.event.type === "session.status" && e.event.status === status)?.at;
const turnEnded = (w: StreamWatcher) => w.events.some((e) => e.event.type === "turn.end");
const failed = (w: StreamWatcher) => statusAt(w.events, "failed") !== undefined;

/** Milliseconds between entering the queue and starting, or null if it never waited. */
function queueWaitMs(events: StoredEvent[]): number | null {
  if (!events.some((e) => e.event.type === "session.queue")) return null;
  const queued = statusAt(events, "queued");
  const starting = statusAt(events, "starting");
  return queued && starting ? Date.parse(starting) - Date.parse(queued) : null;
}

export async function runCapacityBench(
  log: (line: string) => void = console.log,
): Promise<CapacityBenchResult> {
  const stack = await startStack({
    forceScriptedModel: true,
    // The session-creation and prompt limits would refuse 50 at once; this measures capacity.
    vars: { RATE_LIMIT_SESSION_CREATE: "6000,1000", RATE_LIMIT_PROMPTS: "6000,1000" },
  });
  try {
    createDemoRepo(stack.reposRoot, "capacity");
    for (let i = 0; i < SESSIONS; i++) stack.model!.enqueue({ kind: "text", text: "Done." });
    log(`capacity: starting ${SESSIONS} sessions at once (sandbox ${stack.host.isolation})...`);
    const started = performance.now();
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) =>
        postJson(stack, "/api/v1/sessions", {
          repo: { kind: "local", path: "capacity" },
          prompt: `Task ${i}: say done.`,
        }),
      ),
    );
    const watchers = await Promise.all(
      sessions.map((s) => StreamWatcher.open(stack.url, s.id, 0, stack.headers)),
    );
    let done = 0;
    await Promise.all(
      watchers.map(async (w, i) => {
        await w.until(`session ${i} to end its turn`, () => turnEnded(w) || failed(w), ALL_DONE_TIMEOUT_MS);
        done++;
        if (done % 10 === 0)
          log(`capacity: ${done}/${SESSIONS} done after ${ms(performance.now() - started)}`);
        if (STOP_WHEN_DONE && !failed(w))
          await postJson(stack, `/api/v1/sessions/${sessions[i]!.id}/stop`, {});
      }),
    );
    const allDoneMs = performance.now() - started;
    const finished = watchers.filter(turnEnded).length;
    const failures = watchers.filter(failed);
    for (const w of failures) {
      const reason = w.events.find((e) => e.event.type === "session.status" && e.event.status === "failed");
      log(`capacity: a session failed: ${JSON.stringify(reason?.event)}`);
    }
    const positions = watchers.flatMap((w) =>
      w.events.flatMap((e) => (e.event.type === "session.queue" ? [e.event.position] : [])),
    );
    const waits = watchers.map((w) => queueWaitMs(w.events)).filter((v): v is number => v !== null);
    const wait = summarize(waits);
    for (const w of watchers) w.close();
    const result: CapacityBenchResult = {
      sessions: SESSIONS,
      finished,
      failed: failures.length,
      allDoneMs,
      maxQueueLength: positions.length > 0 ? Math.max(...positions) : 0,
      queueWait: { waited: waits.length, p50: wait.p50, p95: wait.p95, max: wait.max },
      stopWhenDone: STOP_WHEN_DONE,
    };
    log(
      `capacity: ${finished}/${SESSIONS} finished, ${failures.length} failed, all done in ${ms(allDoneMs)}; ` +
        `max queue ${result.maxQueueLength}; ${waits.length} waited in the queue, ` +
        `p50 ${ms(wait.p50)}, p95 ${ms(wait.p95)}, max ${ms(wait.max)}`,
    );
    if (finished !== SESSIONS || failures.length > 0) {
      throw new Error(
        `capacity: only ${finished} of ${SESSIONS} sessions finished (${failures.length} failed)`,
      );
    }
    return result;
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCapacityBench();
}
