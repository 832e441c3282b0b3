/**
 * The floor under every latency measured through `wrangler dev` (the ack benchmarks' p99 < 25 ms):
 * a Worker that does nothing but answer, under the same wrangler and workerd, timed by the same
 * kind of client (one request in flight, `fetch` to the last byte), interleaved with a plain
 * `node:http` server answering the same bytes (the machine's own floor: client, loopback, kernel
 * scheduling). Whatever the ack routes measure above the do-nothing Worker is Nightshift's; what
 * the do-nothing Worker measures above the plain server is the local dev server's (wrangler's
 * proxy Worker forwards each request over loopback HTTP to a second workerd: a hop a deployment
 * does not have). The same Worker is also timed at that second workerd's own socket
 * (direct-socket.ts), which the automation ack benchmark times by default.
 * `BENCH_FLOOR_REQUESTS` (default 1,000) sizes the run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  startProcess,
  waitUntil,
  workerDirectUrl,
  wranglerBin,
  wranglerEnv,
} from "@nightshift/devstack";
import { runInterleaved } from "./interleave";
import type { summarize } from "./stats";
import { header, row } from "./webhook-report";

const REQUESTS = Number(process.env.BENCH_FLOOR_REQUESTS ?? 1000);
const WARMUP = 50;
const BODY = JSON.stringify({ ok: true });

type Summary = ReturnType<typeof summarize>;

export interface WranglerFloorResult {
  plainNode: Summary;
  emptyWorker: Summary;
  emptyWorkerDirect: Summary;
  loadAverage: { before: number[]; after: number[] };
}

function writeEmptyWorker(dir: string): void {
  writeFileSync(
    join(dir, "index.js"),
    `export default { fetch: () => new Response(${JSON.stringify(BODY)}, { headers: { "content-type": "application/json" } }) };\n`,
  );
  writeFileSync(
    join(dir, "wrangler.toml"),
    'name = "nightshift-floor"\nmain = "index.js"\ncompatibility_date = "2026-08-01"\n',
  );
}

export async function runWranglerFloorBench(
  log: (line: string) => void = console.log,
): Promise<WranglerFloorResult> {
  const dir = mkdtempSync(join(tmpdir(), "ns-floor-"));
  writeEmptyWorker(dir);
  const plainPort = await freePort();
  const plain = spawn(
    process.execPath,
    [
      "-e",
      `require("node:http").createServer((q, r) => { r.setHeader("content-type", "application/json"); r.end(${JSON.stringify(BODY)}); }).listen(${plainPort}, "127.0.0.1")`,
    ],
    { stdio: "ignore" },
  );
  const workerPort = await freePort();
  const worker = startProcess(
    "floor-worker",
    wranglerBin(),
    ["dev", "--ip", "127.0.0.1", "--port", String(workerPort), "--persist-to", join(dir, "state")],
    { cwd: dir, env: wranglerEnv },
  );
  const urls = {
    plainNode: `http://127.0.0.1:${plainPort}/`,
    emptyWorker: `http://127.0.0.1:${workerPort}/`,
  };
  try {
    await waitUntil("the plain server to answer", async () => (await fetch(urls.plainNode)).ok, 10_000);
    await waitUntil(
      "the do-nothing Worker to answer",
      async () => (await fetch(urls.emptyWorker)).ok,
      90_000,
      worker,
    );
    const direct = `${await workerDirectUrl(worker, urls.emptyWorker, "/")}/`;
    const before = loadavg();
    // GETs, one in flight, each round starting from the other kind (interleave.ts).
    const results = await runInterleaved({
      probes: [
        { name: "plainNode", expect: 200, url: urls.plainNode },
        { name: "emptyWorker", expect: 200, url: urls.emptyWorker },
        { name: "emptyWorkerDirect", expect: 200, url: direct },
      ],
      rounds: REQUESTS,
      warmup: WARMUP,
    });
    const after = loadavg();
    const plainNode = results.plainNode!;
    const emptyWorker = results.emptyWorker!;
    const emptyWorkerDirect = results.emptyWorkerDirect!;
    // Every answer a 200, warm-up included: a floor measured on errors would be no floor.
    for (const [name, r] of Object.entries(results))
      if (r.okIncludingWarmup !== WARMUP + REQUESTS)
        throw new Error(
          `${name} answered ${WARMUP + REQUESTS - r.okIncludingWarmup} requests wrongly: ${JSON.stringify(r.failures)}`,
        );
    log(
      "The floor: a plain node:http server and a do-nothing Worker under wrangler dev (its port, and its own socket), interleaved",
    );
    log(header());
    log(row("plain node:http server", plainNode.latency));
    log(row("do-nothing Worker (wrangler dev)", emptyWorker.latency));
    log(row("do-nothing Worker (its own socket)", emptyWorkerDirect.latency));
    const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(" ");
    log(`  load average (1, 5, 15 min): before ${load(before)}, after ${load(after)}`);
    return {
      plainNode: plainNode.latency,
      emptyWorker: emptyWorker.latency,
      emptyWorkerDirect: emptyWorkerDirect.latency,
      loadAverage: { before, after },
    };
  } finally {
    await worker.stop();
    plain.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
