/**
 * The timed client of the automation ack benchmark, in a worker thread (the recording sandbox
 * host runs on the main thread's event loop and must not sit between a response and its
 * timestamp). Each round sends, in a rotating order, one delivery that starts a session, one the
 * filter declines, and one GET of the health route; one request in flight. Deliveries are signed
 * the Standard Webhooks way before the clock starts; a request is timed from the start of `fetch`
 * to the last byte of the body.
 */
import { createHmac } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";

function waitForGo(): Promise<void> {
  return new Promise((resolve) => parentPort!.once("message", () => resolve()));
}

export interface AckProbeInput {
  base: string;
  /** Automations that start a session, used in turn (each has its own concurrency limit). */
  starters: { id: string; secret: string }[];
  /** An automation whose filter declines every delivery below. */
  skipper: { id: string; secret: string };
  rounds: number;
  warmup: number;
  /**
   * Paced: after each delivery that starts a session, wait for the main thread's "go" (sent once
   * the recording host has seen that session's sandbox request and the session was stopped), so no
   * earlier session's creation is still running in the Worker when the next request arrives.
   */
  paced: boolean;
  /** The kinds of request to send (default all three); a run without "started" creates no session. */
  kinds?: AckProbeTally["name"][];
}

/** What the probe thread posts: a started delivery to wait on (paced), or its tallies at the end. */
export type AckProbeMessage =
  | { type: "sent"; sessionId: string }
  | { type: "done"; tallies: AckProbeTally[] };

export interface AckProbeTally {
  name: "started" | "skipped" | "health";
  samples: number[];
  ok: number;
  failures: { status: number; body: string }[];
}

const input = workerData as AckProbeInput;

function signed(automation: { id: string; secret: string }, id: string, body: string) {
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(automation.secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return {
    url: `${input.base}/webhooks/in/${automation.id}`,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": `v1,${signature}`,
      },
      body,
    },
  };
}

const allKinds = [
  {
    name: "started" as const,
    expect: 202,
    request: (round: number) => {
      const starter = input.starters[round % input.starters.length]!;
      const body = JSON.stringify({ alert: { title: `bench ${round}`, level: "error" } });
      return signed(starter, `msg_started_${round}`, body);
    },
  },
  {
    name: "skipped" as const,
    expect: 200,
    request: (round: number) =>
      signed(input.skipper, `msg_skipped_${round}`, JSON.stringify({ alert: { title: "x", level: "info" } })),
  },
  {
    name: "health" as const,
    expect: 200,
    request: () => ({ url: `${input.base}/api/v1/health`, init: {} as RequestInit }),
  },
];

const kinds = allKinds.filter((k) => !input.kinds || input.kinds.includes(k.name));
const tallies: AckProbeTally[] = kinds.map((k) => ({ name: k.name, samples: [], ok: 0, failures: [] }));

for (let round = 0; round < input.warmup + input.rounds; round++) {
  for (let k = 0; k < kinds.length; k++) {
    const at = (k + round) % kinds.length;
    const kind = kinds[at]!;
    const tally = tallies[at]!;
    const { url, init } = kind.request(round);
    const started = performance.now();
    const res = await fetch(url, init);
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (input.paced && kind.name === "started" && res.status === kind.expect) {
      const { sessionId } = JSON.parse(body) as { sessionId: string };
      parentPort!.postMessage({ type: "sent", sessionId } satisfies AckProbeMessage);
      await waitForGo();
    }
    if (round < input.warmup) continue;
    tally.samples.push(elapsed);
    if (res.status === kind.expect) tally.ok++;
    else if (tally.failures.length < 5) tally.failures.push({ status: res.status, body: body.slice(0, 300) });
  }
}
parentPort!.postMessage({ type: "done", tallies } satisfies AckProbeMessage);
