/**
 * The timed client of the webhook benchmark, in a worker thread: the GitHub double and the
 * recording sandbox host run on the main thread's event loop, and the work they do for triggered
 * sessions must not sit between a response arriving and its timestamp.
 *
 * Runs the probes in interleaved rounds, one request in flight; each round starts from a different
 * probe so no kind always follows the same neighbour. Deliveries are signed before the clock
 * starts; a request is timed from the start of `fetch` to the last byte of the body.
 */
import { createHmac, randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import type { ProbeRun, ProbeSpec, ThreadReport } from "./probe-types";

const input = workerData as ProbeRun;

function request(spec: ProbeSpec, index: number): { url: string; init: RequestInit } {
  const d = spec.delivery;
  if (!d) return { url: spec.url, init: {} };
  const body = d.bodies[index % d.bodies.length]!;
  if (d.linear) {
    // Linear refuses a delivery whose webhookTimestamp is over a minute off: stamped when sent.
    const stamped = body.replace('"webhookTimestamp":0', `"webhookTimestamp":${Date.now()}`);
    const linearHeaders = {
      "content-type": "application/json",
      "linear-delivery": randomUUID(),
      "linear-signature": d.signature ?? createHmac("sha256", d.secret).update(stamped).digest("hex"),
    };
    return { url: spec.url, init: { method: "POST", headers: linearHeaders, body: stamped } };
  }
  if (d.slack) {
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac("sha256", d.secret).update(`v0:${ts}:${body}`).digest("hex")}`;
    const slackHeaders = {
      "content-type": "application/json",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": d.signature ?? signature,
    };
    return { url: spec.url, init: { method: "POST", headers: slackHeaders, body } };
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/bench",
    "x-github-event": d.event,
    "x-github-delivery": randomUUID(),
    "x-github-hook-installation-target-type": "integration",
    "x-hub-signature-256":
      d.signature ?? `sha256=${createHmac("sha256", d.secret).update(body).digest("hex")}`,
  };
  return { url: spec.url, init: { method: "POST", headers, body } };
}

const waitForGo = () => new Promise<void>((resolve) => parentPort!.once("message", () => resolve()));

const report: ThreadReport = input.probes.map(() => ({
  samples: [],
  ok: 0,
  failed: 0,
  okIncludingWarmup: 0,
  failures: [],
}));

for (let round = 0; round < input.warmup + input.rounds; round++) {
  const measured = round >= input.warmup;
  for (let k = 0; k < input.probes.length; k++) {
    const at = (k + round) % input.probes.length;
    const spec = input.probes[at]!;
    const tally = report[at]!;
    const { url, init } = request(spec, round);
    const started = performance.now();
    const res = await fetch(url, init);
    const body = await res.text();
    const ms = performance.now() - started;
    const good = res.status === spec.expect;
    if (good) tally.okIncludingWarmup++;
    if (measured) {
      tally.samples.push(ms);
      if (good) tally.ok++;
      else {
        tally.failed++;
        if (tally.failures.length < 5) tally.failures.push({ status: res.status, body: body.slice(0, 300) });
      }
    }
    if (input.pace === spec.name) {
      parentPort!.postMessage({ type: "sent", round });
      await waitForGo();
    }
  }
}
parentPort!.postMessage({ type: "done", report });
