/**
 * Stream benchmarks against the real Worker under `wrangler dev`:
 * - fan-out: a sandbox sends events over the bridge at a steady rate; 50 watchers receive
 *   them. Reports sustained events/s, append→delivery latency p50/p99, and that every event
 *   was persisted.
 * - replay: a new watcher catches up on the resulting 10,000-event backlog.
 * Peak memory of the workerd process is reported next to the times.
 */
import { Worker } from "node:worker_threads";
import { BridgeClient, StreamWatcher, startRecordedStack, workerdPeakMb } from "@nightshift/devstack";
import { ms, summarize } from "./stats";

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const TOTAL = Number(process.env.BENCH_EVENTS ?? 10_000);
const TICK_MS = 10;
const WATCHER_THREADS = Number(process.env.BENCH_WATCHER_THREADS ?? 1);

function startWatcherThread(data: {
  url: string;
  sessionId: string;
  count: number;
  total: number;
  headers: Record<string, string>;
}) {
  const worker = new Worker(new URL("./watcher-thread.ts", import.meta.url), { workerData: data });
  let opened = 0;
  let onReady: () => void = () => {};
  let onDone: (receivedAt: Float64Array[]) => void = () => {};
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  const done = new Promise<Float64Array[]>((resolve, reject) => {
    onDone = resolve;
    worker.once("error", reject);
  });
  worker.on("message", (m: { type: string; receivedAt?: Float64Array[] }) => {
    if (m.type === "open" && ++opened === data.count) onReady();
    if (m.type === "done") {
      onDone(m.receivedAt ?? []);
      void worker.terminate();
    }
  });
  return { ready, done };
}

export interface StreamBenchResult {
  fanout: {
    watchers: number;
    targetRate: number;
    sustainedRate: number;
    p50: number;
    p99: number;
    max: number;
    persisted: number;
    sent: number;
  };
  replay: { backlog: number; ms: number };
  workerdPeakMb: number;
}

export async function runStreamBench(log: (line: string) => void = console.log): Promise<StreamBenchResult> {
  const stack = await startRecordedStack();
  try {
    const { session, sandboxToken } = await stack.createSession("benchmark: stream fan-out");
    const threads = Array.from({ length: WATCHER_THREADS }, (_, i) =>
      startWatcherThread({
        url: stack.url,
        sessionId: session.id,
        count: Math.floor(WATCHERS / WATCHER_THREADS) + (i < WATCHERS % WATCHER_THREADS ? 1 : 0),
        total: TOTAL,
        headers: stack.headers,
      }),
    );
    await Promise.all(threads.map((t) => t.ready));
    const bridge = await BridgeClient.connect(stack.url, sandboxToken);
    bridge.send({ v: 1, type: "hello", runtimeVersion: "bench", lastSeq: 0 });

    const sentAt = new Float64Array(TOTAL + 1);
    let next = 1;
    const started = performance.now();
    log(`fan-out: ${TOTAL} events at ${RATE}/s to ${WATCHERS} watchers...`);
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(TOTAL, Math.floor(((performance.now() - started) / 1000) * RATE));
        const events = [];
        while (next <= due && events.length < 500) {
          const text = `e${next}`;
          sentAt[next] = performance.timeOrigin + performance.now();
          events.push({ seq: next, event: { type: "message.delta", messageId: "bench", text } });
          next++;
        }
        if (events.length > 0) bridge.send({ v: 1, type: "events", events });
        if (next > TOTAL) resolve();
        else setTimeout(tick, TICK_MS);
      };
      tick();
    });
    await bridge.waitForAck(TOTAL, 120_000);
    const elapsed = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    let delivered = 0;
    for (const perWatcher of (await Promise.all(threads.map((t) => t.done))).flat()) {
      for (let n = 1; n <= TOTAL; n++) {
        const at = perWatcher[n]!;
        if (at > 0) {
          delivered++;
          latencies.push(at - sentAt[n]!);
        }
      }
    }
    let persisted = 0;
    let after = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const res = (await (
        await fetch(`${stack.url}/api/v1/sessions/${session.id}/events?after=${after}&limit=1000`, {
          headers: stack.headers,
        })
      ).json()) as {
        events: { event: { type: string; messageId?: string } }[];
        nextAfter: number;
        hasMore: boolean;
      };
      persisted += res.events.filter(
        (e) => e.event.type === "message.delta" && e.event.messageId === "bench",
      ).length;
      after = res.nextAfter;
      if (!res.hasMore) break;
    }
    const lat = summarize(latencies);
    const fanout = {
      watchers: WATCHERS,
      targetRate: RATE,
      sustainedRate: TOTAL / elapsed,
      p50: lat.p50,
      p99: lat.p99,
      max: lat.max,
      persisted,
      delivered,
      sent: TOTAL,
    };
    log(
      `fan-out: ${fanout.sustainedRate.toFixed(0)} events/s sustained to ${WATCHERS} watchers; latency p50 ${ms(lat.p50)}, p99 ${ms(lat.p99)}, max ${ms(lat.max)}; persisted ${persisted}/${TOTAL}, delivered ${delivered}/${TOTAL * WATCHERS}`,
    );
    bridge.close();

    const replayStart = performance.now();
    const late = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    await late.until(
      "the replayed backlog",
      () => late.events.some((e) => (e.event as { text?: string }).text === `e${TOTAL}`),
      60_000,
    );
    const replayMs = performance.now() - replayStart;
    log(`replay: a new watcher received the ${late.events.length}-event backlog in ${ms(replayMs)}`);
    late.close();
    const peak = workerdPeakMb(stack.worker.process.child.pid!);
    log(`workerd peak RSS: ${peak.toFixed(0)} MB`);
    return { fanout, replay: { backlog: late.events.length, ms: replayMs }, workerdPeakMb: peak };
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStreamBench();
}
