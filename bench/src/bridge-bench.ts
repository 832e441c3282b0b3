/**
 * Bridge benchmark: the runtime's real BridgeClient and on-disk EventBuffer against the real
 * Worker (wrangler dev), through a TCP proxy that can cut the connection.
 * - throughput: events/s from runtime to DO including acks (every event stored and acked);
 * - faults: events streamed while the connection is cut 100 times; the DO's log must hold every
 *   event exactly once, in order.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRecordedStack, startTcpProxy } from "@nightshift/devstack";
import { BridgeClient, SandboxToken } from "@nightshift/sandbox-runtime/bridge";
import { EventBuffer } from "@nightshift/sandbox-runtime/buffer";
import { silentLogger } from "@nightshift/sandbox-runtime/log";
import { ms } from "./stats";

const THROUGHPUT_EVENTS = Number(process.env.BENCH_BRIDGE_EVENTS ?? 20_000);
const FAULT_EVENTS = Number(process.env.BENCH_FAULT_EVENTS ?? 10_000);
const DISCONNECTS = Number(process.env.BENCH_DISCONNECTS ?? 100);

export interface BridgeBenchResult {
  throughput: { events: number; seconds: number; eventsPerSecond: number };
  faults: {
    events: number;
    disconnects: number;
    connections: number;
    stored: number;
    duplicates: number;
    outOfOrder: number;
    seconds: number;
  };
}

const delta = (text: string) => ({ type: "message.delta", messageId: "bridge-bench", text });

async function storedTexts(
  url: string,
  sessionId: string,
  headers: Record<string, string>,
): Promise<string[]> {
  const texts: string[] = [];
  let after = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const res = (await (
      await fetch(`${url}/api/v1/sessions/${sessionId}/events?after=${after}&limit=1000`, { headers })
    ).json()) as {
      events: { event: { messageId?: string; text?: string } }[];
      nextAfter: number;
      hasMore: boolean;
    };
    for (const e of res.events) if (e.event.messageId === "bridge-bench") texts.push(e.event.text ?? "");
    after = res.nextAfter;
    if (!res.hasMore) break;
  }
  return texts;
}

export async function runBridgeBench(log: (line: string) => void = console.log): Promise<BridgeBenchResult> {
  const stack = await startRecordedStack();
  const proxy = await startTcpProxy(Number(new URL(stack.url).port));
  const dir = mkdtempSync(join(tmpdir(), "nightshift-bridge-bench-"));
  try {
    const { session, sandboxToken } = await stack.createSession("benchmark: bridge");
    const buffer = new EventBuffer({ dir, maxBytes: 256 * 1024 * 1024 });
    const client = new BridgeClient({
      controlPlaneUrl: proxy.url,
      token: new SandboxToken(sandboxToken),
      runtimeVersion: "bench",
      buffer,
      onControl: () => {},
      onFinal: (outcome) => log(`bridge ended: ${JSON.stringify(outcome)}`),
      log: silentLogger,
      backoff: { baseMs: 20, capMs: 200 },
    });
    client.start();

    log(`bridge: ${THROUGHPUT_EVENTS} events from the runtime's buffer to the DO, acked...`);
    let start = performance.now();
    for (let i = 1; i <= THROUGHPUT_EVENTS; i++) buffer.append(delta(`t${i}`));
    client.notify();
    if (!(await client.flush(300_000))) throw new Error("the throughput phase did not drain");
    let seconds = (performance.now() - start) / 1000;
    const throughput = { events: THROUGHPUT_EVENTS, seconds, eventsPerSecond: THROUGHPUT_EVENTS / seconds };
    log(
      `bridge: ${throughput.eventsPerSecond.toFixed(0)} events/s stored and acked (${ms(seconds * 1000)} for ${THROUGHPUT_EVENTS})`,
    );

    log(`bridge: ${FAULT_EVENTS} more events while the connection is cut ${DISCONNECTS} times...`);
    const connectionsBefore = client.connectionCount;
    start = performance.now();
    let produced = 0;
    let cuts = 0;
    const perCut = Math.ceil(FAULT_EVENTS / DISCONNECTS);
    while (produced < FAULT_EVENTS || cuts < DISCONNECTS) {
      const batch = Math.min(perCut, FAULT_EVENTS - produced);
      for (let i = 0; i < batch; i++) buffer.append(delta(`f${++produced}`));
      client.notify();
      // Let some of the batch reach the socket, then cut it mid-stream.
      await new Promise((r) => setTimeout(r, 15));
      if (cuts < DISCONNECTS && proxy.dropAll() > 0) cuts++;
      // Wait for the reconnect before the next cut, so every cut hits a live connection.
      const deadline = Date.now() + 10_000;
      while (!client.isConnected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    }
    if (!(await client.flush(300_000))) throw new Error("the fault phase did not drain");
    seconds = (performance.now() - start) / 1000;
    client.stop();
    const texts = (await storedTexts(stack.url, session.id, stack.headers)).filter((t) => t.startsWith("f"));
    const seen = new Set<string>();
    let duplicates = 0;
    let outOfOrder = 0;
    texts.forEach((t, i) => {
      if (seen.has(t)) duplicates++;
      seen.add(t);
      if (t !== `f${i + 1}`) outOfOrder++;
    });
    const faults = {
      events: FAULT_EVENTS,
      disconnects: cuts,
      connections: client.connectionCount - connectionsBefore,
      stored: seen.size,
      duplicates,
      outOfOrder,
      seconds,
    };
    log(
      `bridge faults: ${cuts} cuts, ${faults.connections} reconnects; stored ${seen.size}/${FAULT_EVENTS} distinct, ${duplicates} duplicates, ${outOfOrder} out of order`,
    );
    buffer.close();
    return { throughput, faults };
  } finally {
    await proxy.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runBridgeBench();
}
