/**
 * Linear ack latency under `wrangler dev`: 1,000 signed `AgentSessionEvent` deliveries (each a new
 * Linear-Delivery, stamped with the send time) to `/webhooks/linear`, each timed from the start of
 * the request to the last byte of the answer, interleaved with `GET /api/v1/health`. The answer
 * covers what Linear waits for: the signature, parsing, the timestamp window and the delivery
 * claim in D1; the routing (an organization no tenant installed, so nothing starts) runs after it.
 * Target: p99 < 25 ms and at most 2× the bare route.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { startRecordedStack } from "@nightshift/devstack";
import { runInterleaved } from "./interleave";
import type { ProbeSpec } from "./probe-types";
import { ACK_TARGET, reportAck, type VariantResult, variantOf } from "./webhook-report";

const DELIVERIES = Number(process.env.BENCH_LINEAR_DELIVERIES ?? 1000);
const WARMUP = Number(process.env.BENCH_LINEAR_WARMUP ?? 50);
const TARGET = ACK_TARGET;
const SECRET = "bench-linear-webhook-secret";
/** A real delivery's shape (the control plane's router tests use the same recording). */
const CREATED = new URL(
  "../../packages/control-plane/test/fixtures/linear-webhooks/agent-session-event.created.json",
  import.meta.url,
);

export interface LinearAckBenchResult {
  ack: VariantResult;
  target: typeof TARGET;
  met: { p99: boolean; ratio: boolean };
  loadAverage: { before: number[]; after: number[] };
}

/** The recorded delivery with its timestamp as the placeholder the probe thread stamps. */
function createdBody(): string {
  const event = JSON.parse(readFileSync(CREATED, "utf8")) as Record<string, unknown>;
  return JSON.stringify({ ...event, webhookTimestamp: 0 });
}

export async function runLinearAckBench(
  log: (line: string) => void = console.log,
): Promise<LinearAckBenchResult> {
  const before = loadavg();
  const stack = await startRecordedStack({ vars: { LINEAR_WEBHOOK_SECRET: SECRET } });
  try {
    const probes: ProbeSpec[] = [
      {
        name: "webhook",
        expect: 200,
        url: `${stack.url}/webhooks/linear`,
        delivery: { event: "AgentSessionEvent", bodies: [createdBody()], secret: SECRET, linear: true },
      },
      { name: "health", expect: 200, url: `${stack.url}/api/v1/health` },
    ];
    const ack = variantOf(await runInterleaved({ probes, rounds: DELIVERIES, warmup: WARMUP }));
    const met = reportAck(
      log,
      "Linear ack: signed AgentSessionEvent deliveries (new Linear-Delivery each) interleaved with the health route",
      { path: "/webhooks/linear", short: "linear" },
      ack,
    );
    return { ack, target: TARGET, met, loadAverage: { before, after: loadavg() } };
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runLinearAckBench();
}
