/**
 * Slack ack latency under `wrangler dev`: 1,000 signed `app_mention` deliveries (each a new
 * event_id) to `/webhooks/slack/events`, each timed from the start of the request to the last
 * byte of the answer, interleaved with `GET /api/v1/health` so both see the same machine. The
 * answer covers what Slack waits for: the v0 signature, parsing and the event_id claim in D1; the
 * routing (an unknown workspace here, so nothing starts) runs after it. Target: p99 < 25 ms and
 * at most 2× the bare route.
 */
import { loadavg } from "node:os";
import { startRecordedStack } from "@nightshift/devstack";
import { startSlackDouble } from "@nightshift/testkit/slack";
import { runInterleaved } from "./interleave";
import type { ProbeSpec } from "./probe-types";
import { ACK_TARGET, reportAck, type VariantResult, variantOf } from "./webhook-report";

const DELIVERIES = Number(process.env.BENCH_SLACK_DELIVERIES ?? 1000);
const WARMUP = Number(process.env.BENCH_SLACK_WARMUP ?? 50);
const TARGET = ACK_TARGET;
const SECRET = "bench-slack-signing-secret";

export interface SlackAckBenchResult {
  ack: VariantResult;
  target: typeof TARGET;
  met: { p99: boolean; ratio: boolean };
  loadAverage: { before: number[]; after: number[] };
}

function mentionBodies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const ts = `${1_700_000_000 + i}.${String(i).padStart(6, "0")}`;
    return JSON.stringify({
      token: "bench",
      team_id: "TBENCH0001",
      api_app_id: "A0BENCH",
      type: "event_callback",
      event_id: `EvBENCH${i.toString(36).toUpperCase().padStart(6, "0")}`,
      event_time: 1_700_000_000 + i,
      event: {
        type: "app_mention",
        user: "U0BENCH",
        text: "<@UBOT> fix acme/widgets",
        ts,
        channel: "C0BENCH",
      },
    });
  });
}

export async function runSlackAckBench(
  log: (line: string) => void = console.log,
): Promise<SlackAckBenchResult> {
  const before = loadavg();
  const slack = await startSlackDouble();
  const stack = await startRecordedStack({
    vars: { SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, SLACK_WEB_URL: slack.url },
  }).catch(async (error: unknown) => {
    await slack.close();
    throw error;
  });
  try {
    const bodies = mentionBodies(DELIVERIES + WARMUP);
    const probes: ProbeSpec[] = [
      {
        name: "webhook",
        expect: 200,
        url: `${stack.url}/webhooks/slack/events`,
        delivery: { event: "event_callback", bodies, secret: SECRET, slack: true },
      },
      { name: "health", expect: 200, url: `${stack.url}/api/v1/health` },
    ];
    const ack = variantOf(await runInterleaved({ probes, rounds: DELIVERIES, warmup: WARMUP }));
    const met = reportAck(
      log,
      "Slack ack: signed app_mention deliveries (new event_id each) interleaved with the health route",
      { path: "/webhooks/slack/events", short: "slack" },
      ack,
    );
    return { ack, target: TARGET, met, loadAverage: { before, after: loadavg() } };
  } finally {
    await stack.close();
    await slack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runSlackAckBench();
}
