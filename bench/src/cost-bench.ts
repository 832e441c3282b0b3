/**
 * What one typical session costs on Cloudflare, excluding the model and the sandbox: a local-repo
 * session whose first turn runs a tool and pushes a commit, one follow-up turn, then stop; watched
 * from one dashboard stream. Measured on the local stack (cost-meter.ts): requests and WebSocket
 * messages into the Worker from the sandbox and from the user, rows written to D1 and to Durable
 * Object storage, storage left behind. Priced at the Workers Paid list prices below (beyond the
 * included monthly amounts, i.e. the marginal cost).
 */

import { join } from "node:path";
import { createDemoRepo, type Stack, StreamWatcher, startStack } from "@nightshift/devstack";
import { meterWrites, sqliteFilesUnder, startCountingProxy, writesSince } from "./cost-meter";
import { postJson } from "./stack-api";

/** USD, Cloudflare list prices (developers.cloudflare.com …/pricing, Workers Paid, 2026). */
export const PRICES = {
  workerRequestPerMillion: 0.3,
  durableObjectRequestPerMillion: 0.15,
  /** Incoming WebSocket messages are billed as DO requests at 20 messages to one request. */
  webSocketMessagesPerRequest: 20,
  durableObjectGbSecondPerMillion: 12.5,
  durableObjectMemoryGb: 0.125,
  rowWrittenPerMillion: 1.0,
  storedGbMonth: { d1: 0.75, durableObject: 0.2 },
} as const;

const TARGET_USD = 0.002;

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`cost bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const turnEnds = (w: StreamWatcher) => w.events.filter((e) => e.event.type === "turn.end").length;

/**
 * Write counters on the stack's SQLite files. D1 is metered before the session; a Durable Object's
 * file only once the object is up and running (adding triggers while workerd creates its tables
 * breaks the object), and the rows it already holds then are counted as written.
 */
function storageMeter(stack: Stack) {
  const root = join(stack.stateDir, "wrangler", "v3");
  const metered = new Map<string, number>();
  const meter = (which: "d1" | "do") => {
    for (const file of sqliteFilesUnder(join(root, which))) {
      if (!metered.has(file)) metered.set(file, meterWrites(file));
    }
  };
  return {
    meter,
    report() {
      const out = { d1: { rows: 0, bytes: 0 }, durableObjects: { rows: 0, bytes: 0, objects: 0 } };
      for (const [file, before] of metered) {
        const { total, bytes } = writesSince(file);
        const isD1 = file.startsWith(join(root, "d1"));
        const bucket = isD1 ? out.d1 : out.durableObjects;
        bucket.rows += total + before;
        bucket.bytes += bytes;
        if (!isD1 && total + before > 0) out.durableObjects.objects++;
      }
      return out;
    },
  };
}

export async function runCostBench(log: (line: string) => void = console.log) {
  let target = "";
  const proxy = await startCountingProxy(() => target);
  const stack = await startStack({
    forceScriptedModel: true,
    vars: { SANDBOX_CONTROL_PLANE_URL: proxy.url },
  });
  target = stack.url;
  try {
    createDemoRepo(stack.reposRoot, "cost");
    // Baseline writes (migrations, the local tenant) are not the session's: meter from here on.
    const storage = storageMeter(stack);
    storage.meter("d1");
    const baseline = storage.report();
    let userRequests = 0;
    const model = stack.model;
    if (!model) throw new Error("the cost bench needs the scripted model");
    model.enqueue(
      { kind: "tool", name: "Bash", input: { command: "echo cost >> NOTES.md", description: "note" } },
      { kind: "text", text: "Added a note." },
    );
    const started = performance.now();
    const session = await postJson(stack, "/api/v1/sessions", {
      repo: { kind: "local", path: "cost" },
      prompt: "Add a note to NOTES.md.",
    });
    userRequests++;
    const watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    userRequests++;
    await until("the session to run", () => watcher.sawStatus("running"), 120_000);
    storage.meter("do");
    await until("the first turn", () => turnEnds(watcher) === 1, 120_000).catch((err) => {
      const seen = watcher.events.map((e) => JSON.stringify(e.event).slice(0, 160)).join("\n");
      throw new Error(`${(err as Error).message}; the session's events:\n${seen}`);
    });
    model.enqueue({ kind: "text", text: "Done, nothing else to change." });
    await postJson(stack, `/api/v1/sessions/${session.id}/prompts`, { text: "Anything else?" });
    userRequests++;
    await until("the follow-up turn", () => turnEnds(watcher) === 2, 120_000);
    await postJson(stack, `/api/v1/sessions/${session.id}/stop`, {});
    userRequests++;
    await until("the session to stop", () => watcher.sawStatus("stopped"), 60_000);
    const wallSeconds = (performance.now() - started) / 1000;
    const eventsStreamed = watcher.events.length;
    watcher.close();
    // Let the session's last writes (index sync, alarms) land before reading the counters.
    await new Promise((r) => setTimeout(r, 2_000));
    const written = storage.report();
    const d1Rows = written.d1.rows - baseline.d1.rows;
    const doRows = written.durableObjects.rows - baseline.durableObjects.rows;
    const traffic = proxy.counts;

    const workerRequests = userRequests + traffic.httpRequests + traffic.webSocketUpgrades;
    // Every Worker request that reaches a session touches its DO at most once or twice; count two,
    // plus the incoming bridge messages at the 20:1 rate, as the upper estimate.
    const doRequests =
      2 * workerRequests + Math.ceil(traffic.messagesToWorker / PRICES.webSocketMessagesPerRequest);
    // A hibernating DO is billed only while it handles something; bound it by the whole wall time.
    const doGbSeconds = wallSeconds * PRICES.durableObjectMemoryGb;
    const perMillion = (n: number, price: number) => (n / 1e6) * price;
    const monthOfStorage =
      ((written.d1.bytes - baseline.d1.bytes) / 1e9) * PRICES.storedGbMonth.d1 +
      ((written.durableObjects.bytes - baseline.durableObjects.bytes) / 1e9) *
        PRICES.storedGbMonth.durableObject;
    const usd = {
      workerRequests: perMillion(workerRequests, PRICES.workerRequestPerMillion),
      durableObjectRequests: perMillion(doRequests, PRICES.durableObjectRequestPerMillion),
      durableObjectDuration: perMillion(doGbSeconds, PRICES.durableObjectGbSecondPerMillion),
      rowsWritten: perMillion(d1Rows + doRows, PRICES.rowWrittenPerMillion),
      storageFirstMonth: Math.max(0, monthOfStorage),
    };
    const total = Object.values(usd).reduce((a, b) => a + b, 0);
    log(
      `session: 2 turns, ${eventsStreamed} events, ${wallSeconds.toFixed(1)} s wall; ` +
        `Worker requests ${workerRequests} (sandbox HTTP ${traffic.httpRequests}, WebSockets ${traffic.webSocketUpgrades}, user ${userRequests}); ` +
        `bridge messages in ${traffic.messagesToWorker}, out ${traffic.messagesFromWorker}`,
    );
    log(
      `rows written: D1 ${d1Rows}, Durable Objects ${doRows} (${written.durableObjects.objects} objects); ` +
        `storage added ${((written.d1.bytes - baseline.d1.bytes) / 1024).toFixed(0)} KiB D1, ` +
        `${((written.durableObjects.bytes - baseline.durableObjects.bytes) / 1024).toFixed(0)} KiB DO`,
    );
    log(
      `cost per session: $${total.toFixed(6)} (target < $${TARGET_USD}): ` +
        Object.entries(usd)
          .map(([k, v]) => `${k} $${v.toFixed(6)}`)
          .join(", "),
    );
    return {
      wallSeconds,
      eventsStreamed,
      workerRequests,
      traffic: { ...traffic },
      doRequestsEstimate: doRequests,
      rowsWritten: { d1: d1Rows, durableObjects: doRows },
      usd,
      totalUsd: total,
      targetUsd: TARGET_USD,
    };
  } finally {
    await stack.close();
    proxy.close();
  }
}
