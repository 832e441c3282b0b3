/**
 * Automation ack latency under `wrangler dev` (issue 16): 1,000 signed Standard Webhooks
 * deliveries to `POST /webhooks/in/:id` that each start a session (202 with its id: the answer
 * covers the signature, the tenant rate limit and one D1 batch that claims the run and reads its
 * limits and acting member; the session is created 25 ms after it), interleaved with deliveries the
 * filter declines (200 skipped: signature, rate limit and the run row only) and with
 * `GET /api/v1/health`, so all see the same machine. Sessions get their "sandbox" from the
 * recording host, so nothing runs an agent. Target: p99 < 25 ms and at most 2× the bare route.
 * `BENCH_AUTOMATION_DELIVERIES` (default 1,000) and `BENCH_AUTOMATION_WARMUP` (20) size the run.
 * A paced run (`BENCH_AUTOMATION_PACED`, default 300 rounds, first) sends each request only after
 * the previous started delivery's session has asked the recording host for its sandbox and was
 * stopped: locally the Worker, its Durable Objects and D1 share one workerd thread, so back to back
 * the previous session's creation (in `waitUntil`) runs inside the next request, and sessions that
 * never end (the recording host's sandboxes never connect) keep deadlines firing in that thread;
 * paced, each answer is timed alone, as a sender sees it when the deployment's other isolates do
 * that work.
 */
import { loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import { type RecordedStack, startRecordedStack, stopSession, workerDirectUrl } from "@nightshift/devstack";
import { waitFor } from "@nightshift/testkit/wait-for";
import type { AckProbeInput, AckProbeMessage, AckProbeTally } from "./automation-ack-probe";
import { ms, summarize } from "./stats";
import { header, row } from "./webhook-report";
import { sandboxRequests } from "./webhook-sessions";

const DELIVERIES = Number(process.env.BENCH_AUTOMATION_DELIVERIES ?? 1000);
const WARMUP = Number(process.env.BENCH_AUTOMATION_WARMUP ?? 20);
const PACED = Number(process.env.BENCH_AUTOMATION_PACED ?? 300);
/**
 * Where the timed requests go: "direct" (default), the Worker's own workerd socket; "proxy",
 * `wrangler dev`'s port, one loopback hop more that only the dev server has (direct-socket.ts).
 */
const VIA = process.env.BENCH_AUTOMATION_VIA === "proxy" ? "proxy" : "direct";
/** How long a paced delivery's session may take to ask for its sandbox. */
const SETTLE_MS = 15_000;
const TARGET = { p99Ms: 25, ratio: 2 } as const;
/** The most sessions of one automation alive at once the API allows: starters take turns. */
const MAX_CONCURRENT = 50;
const UNLIMITED = "1000000,1000000";

type Summary = ReturnType<typeof summarize>;

interface AckVariant {
  started: Summary;
  skipped: Summary;
  health: Summary;
  ratio: { startedP50: number; startedP99: number; skippedP50: number; skippedP99: number };
  failures: Record<string, { status: number; body: string }[]>;
  met: { startedP99: boolean; startedRatio: boolean; skippedP99: boolean; skippedRatio: boolean };
}

/** The delivery path with no session anywhere in the stack: what a filter-declined delivery costs. */
interface AloneVariant {
  skipped: Summary;
  health: Summary;
  ratio: { skippedP50: number; skippedP99: number };
  met: boolean;
}

export interface AutomationAckBenchResult {
  alone: AloneVariant;
  backToBack: AckVariant;
  paced: AckVariant;
  target: typeof TARGET;
  via: { kind: typeof VIA; url: string };
  loadAverage: { before: number[]; after: number[] };
}

async function createAutomation(stack: RecordedStack, name: string): Promise<{ id: string; secret: string }> {
  const res = await fetch(`${stack.url}/api/v1/tenants/local/automations`, {
    method: "POST",
    headers: stack.headers,
    body: JSON.stringify({
      name,
      trigger: { kind: "webhook" },
      repo: { mode: "fixed", repo: { kind: "local", path: "bench" } },
      promptTemplate: "Look into {{payload.alert.title}}",
      filter: 'payload.alert.level == "error"',
      limits: { maxRunsPerHour: 1000, maxConcurrent: MAX_CONCURRENT },
    }),
  });
  if (res.status !== 201)
    throw new Error(`creating an automation answered ${res.status}: ${await res.text()}`);
  const created = (await res.json()) as { automation: { id: string }; secret: string };
  return { id: created.automation.id, secret: created.secret };
}

function probe(input: AckProbeInput, onSent: (sessionId: string) => Promise<void>): Promise<AckProbeTally[]> {
  const thread = new Worker(new URL("./automation-ack-probe.ts", import.meta.url), { workerData: input });
  return new Promise<AckProbeTally[]>((resolve, reject) => {
    thread.on("message", (message: AckProbeMessage) => {
      if (message.type === "done") resolve(message.tallies);
      else onSent(message.sessionId).then(() => thread.postMessage("go"), reject);
    });
    thread.once("error", reject);
    thread.once("exit", (code) => reject(new Error(`the probe thread exited (${code}) before reporting`)));
  }).finally(() => thread.terminate());
}

/** The probe's tallies by kind (a run that sent no kind of request has no entry for it). */
function byKind(tallies: AckProbeTally[]): Record<AckProbeTally["name"], AckProbeTally> {
  return Object.fromEntries(tallies.map((t) => [t.name, t])) as Record<AckProbeTally["name"], AckProbeTally>;
}

function logFailures(log: (line: string) => void, tallies: AckProbeTally[]): void {
  for (const t of tallies) for (const f of t.failures) log(`  ${t.name} failure: ${f.status} ${f.body}`);
}

function report(log: (line: string) => void, title: string, tallies: AckProbeTally[]): AckVariant {
  const by = byKind(tallies);
  const started = summarize(by.started.samples);
  const skipped = summarize(by.skipped.samples);
  const health = summarize(by.health.samples);
  const ratio = {
    startedP50: started.p50 / health.p50,
    startedP99: started.p99 / health.p99,
    skippedP50: skipped.p50 / health.p50,
    skippedP99: skipped.p99 / health.p99,
  };
  log(title);
  log(header());
  log(row("POST /webhooks/in/:id → 202", started, `${by.started.ok} × 202 (a session each)`));
  log(row("POST /webhooks/in/:id → 200", skipped, `${by.skipped.ok} × 200 skipped`));
  log(row("GET /api/v1/health", health, `${by.health.ok} × 200`));
  log(
    `  ratio to health: started p50 ${ratio.startedP50.toFixed(2)}× p99 ${ratio.startedP99.toFixed(2)}×, skipped p50 ${ratio.skippedP50.toFixed(2)}× p99 ${ratio.skippedP99.toFixed(2)}×`,
  );
  logFailures(log, tallies);
  const met = {
    startedP99: started.p99 < TARGET.p99Ms,
    startedRatio: ratio.startedP99 <= TARGET.ratio && ratio.startedP50 <= TARGET.ratio,
    skippedP99: skipped.p99 < TARGET.p99Ms,
    skippedRatio: ratio.skippedP99 <= TARGET.ratio && ratio.skippedP50 <= TARGET.ratio,
  };
  log(
    `  target p99 < ${ms(TARGET.p99Ms)}, ratio ≤ ${TARGET.ratio}: started ${met.startedP99 && met.startedRatio ? "met" : "MISSED"}, skipped ${met.skippedP99 && met.skippedRatio ? "met" : "MISSED"}`,
  );
  return {
    started,
    skipped,
    health,
    ratio,
    met,
    failures: Object.fromEntries(tallies.map((t) => [t.name, t.failures])),
  };
}

function reportAlone(log: (line: string) => void, tallies: AckProbeTally[]): AloneVariant {
  const by = byKind(tallies);
  const skipped = summarize(by.skipped.samples);
  const health = summarize(by.health.samples);
  const ratio = { skippedP50: skipped.p50 / health.p50, skippedP99: skipped.p99 / health.p99 };
  const met =
    skipped.p99 < TARGET.p99Ms && ratio.skippedP50 <= TARGET.ratio && ratio.skippedP99 <= TARGET.ratio;
  log("Automation ack, the path alone: declined deliveries and the health route before any session exists");
  log(header());
  log(row("POST /webhooks/in/:id → 200", skipped, `${by.skipped.ok} × 200 skipped`));
  log(row("GET /api/v1/health", health, `${by.health.ok} × 200`));
  log(`  ratio to health: p50 ${ratio.skippedP50.toFixed(2)}× p99 ${ratio.skippedP99.toFixed(2)}×`);
  logFailures(log, tallies);
  log(`  target p99 < ${ms(TARGET.p99Ms)}, ratio ≤ ${TARGET.ratio}: ${met ? "met" : "MISSED"}`);
  return { skipped, health, ratio, met };
}

export async function runAutomationAckBench(
  log: (line: string) => void = console.log,
): Promise<AutomationAckBenchResult> {
  const before = loadavg();
  const stack = await startRecordedStack({
    vars: {
      RATE_LIMIT_WEBHOOK: UNLIMITED,
      RATE_LIMIT_PROMPTS: UNLIMITED,
      RATE_LIMIT_SESSION_CREATE: UNLIMITED,
      // Every session asks the recording host for its sandbox (none ever ends): the paced run
      // waits for that request, which a full slot pool would hold back.
      SANDBOX_SLOT_LIMIT: "100000",
      SANDBOX_SLOT_LIMIT_PER_TENANT: "100000",
    },
  });
  try {
    const base = VIA === "proxy" ? stack.url : await workerDirectUrl(stack.worker.process, stack.url);
    log(
      `Timed at ${base}: ${VIA === "proxy" ? "wrangler dev's proxy port" : "the Worker's own workerd socket (BENCH_AUTOMATION_VIA=proxy: wrangler dev's port)"}`,
    );
    const automations = async (deliveries: number, label: string) => {
      const list: { id: string; secret: string }[] = [];
      for (let i = 0; i < Math.ceil(deliveries / MAX_CONCURRENT); i++)
        list.push(await createAutomation(stack, `bench ${label} ${i}`));
      return list;
    };
    // Each run has starters of its own: a starter holds at most MAX_CONCURRENT live sessions.
    const skipper = await createAutomation(stack, "bench skipper");
    // First, before any session exists: the delivery path itself (signature, the tenant's rate
    // limit, the run row), with no session's background work in the thread it shares.
    const alone = reportAlone(
      log,
      await probe(
        {
          base,
          starters: [],
          skipper,
          rounds: PACED,
          warmup: WARMUP,
          paced: false,
          kinds: ["skipped", "health"],
        },
        async () => undefined,
      ),
    );
    const pacedStarters = await automations(PACED + WARMUP, "paced starter");
    const backToBackStarters = await automations(DELIVERIES + WARMUP, "starter");
    // Paced first, on a stack with no session left running: the recording host's sandboxes never
    // connect, so every session it has not stopped keeps deadlines (connect timeout, lease renewal)
    // that fire in the same workerd thread as every route. A real session ends; here each paced
    // one is stopped once it has asked for its sandbox, between two timed requests.
    let seen = 0;
    const paced = report(
      log,
      "Automation ack, paced: each request after the previous started delivery's session asked for its sandbox and was stopped",
      await probe(
        {
          base,
          starters: pacedStarters,
          skipper,
          rounds: PACED,
          warmup: WARMUP,
          paced: true,
        },
        async (sessionId) => {
          seen += 1;
          await waitFor(
            () => sandboxRequests(stack) >= seen,
            "a paced delivery's sandbox request",
            SETTLE_MS,
          );
          await stopSession(stack, sessionId);
        },
      ),
    );
    const backToBack = report(
      log,
      "Automation ack, back to back: signed Standard Webhooks deliveries interleaved with the health route",
      await probe(
        {
          base,
          starters: backToBackStarters,
          skipper,
          rounds: DELIVERIES,
          warmup: WARMUP,
          paced: false,
        },
        async () => undefined,
      ),
    );
    const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(" ");
    log(`  load average (1, 5, 15 min): before ${load(before)}, after ${load(loadavg())}`);
    return {
      alone,
      backToBack,
      paced,
      target: TARGET,
      via: { kind: VIA, url: base },
      loadAverage: { before, after: loadavg() },
    };
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAutomationAckBench();
}
