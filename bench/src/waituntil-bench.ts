/**
 * A control for the webhook benchmark: does work handed to `ctx.waitUntil` delay the 202 that was
 * already returned, under `wrangler dev`, and which kind of work? A minimal Worker
 * (bench/waituntil-worker) answers 202 at once and then does, per request: nothing, 10 loopback
 * fetches, 1 or 10 D1 inserts (also after yielding to the event loop first), or one new SQLite
 * Durable Object. Each request waits for the previous one's work to finish (the Worker reports
 * it on `/done`), and the kinds are interleaved round by round.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, REPO_ROOT, startProcess, waitUntil } from "@nightshift/devstack";
import { waitFor } from "@nightshift/testkit/wait-for";
import { ms, summarize } from "./stats";
import { header, row, type Summary } from "./webhook-report";

const ROUNDS = Number(process.env.BENCH_WAITUNTIL_ROUNDS ?? 100);
const WARMUP = 10;
const KINDS = {
  "GET / (no waitUntil)": null,
  "202, waitUntil: nothing": "",
  "202, waitUntil: 10 fetches": "fetch=10",
  "202, waitUntil: 1 D1 insert": "d1=1",
  "202, waitUntil: 10 D1 inserts": "d1=10",
  "202, yield, then 10 D1 inserts": "d1=10&yield=1",
  "202, waitUntil: 1 new SQLite DO": "do=1",
} as const;

export type WaitUntilBenchResult = Record<string, Summary>;

/** The Worker's way back: `/echo` for its fetches, `/done?id=` when a request's work is over. */
async function startBackChannel() {
  const done = new Set<string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://back.invalid");
    if (url.pathname === "/done") done.add(url.searchParams.get("id") ?? "");
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("back channel has no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    done,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function timed(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(url);
  await res.text();
  return { status: res.status, ms: performance.now() - started };
}

export async function runWaitUntilBench(
  log: (line: string) => void = console.log,
): Promise<WaitUntilBenchResult> {
  const back = await startBackChannel();
  const persistDir = mkdtempSync(join(tmpdir(), "nightshift-bench-waituntil-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const wrangler = startProcess(
    "wrangler",
    join(REPO_ROOT, "packages/devstack/node_modules/.bin/wrangler"),
    [
      "dev",
      "--config",
      "bench/waituntil-worker/wrangler.toml",
      ...["--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistDir],
      ...["--show-interactive-dev-session=false", "--log-level", "warn"],
    ],
    {
      cwd: REPO_ROOT,
      env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
    },
  );
  try {
    await waitUntil("the control Worker to answer", async () => (await fetch(url)).ok, 90_000, wrangler);
    if ((await timed(`${url}/setup`)).status !== 200) throw new Error("the control Worker's setup failed");
    log(`waitUntil control: ${ROUNDS} rounds of ${Object.keys(KINDS).length} kinds (warm-up ${WARMUP})...`);
    const names = Object.keys(KINDS) as (keyof typeof KINDS)[];
    const samples = new Map(names.map((n) => [n, [] as number[]]));
    let id = 0;
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length]!;
        const query = KINDS[name];
        const target = query === null ? url : `${url}/ack?id=${++id}&back=${back.url}&${query}`;
        const res = await timed(target);
        if (res.status !== (query === null ? 200 : 202)) throw new Error(`${name} answered ${res.status}`);
        if (query !== null) {
          const mine = String(id);
          await waitFor(() => back.done.has(mine), `the work of request ${mine}`, 10_000);
        }
        if (round >= WARMUP) samples.get(name)!.push(res.ms);
      }
    }
    const result = Object.fromEntries(names.map((n) => [n, summarize(samples.get(n)!)]));
    log(header());
    const none = result["202, waitUntil: nothing"]!.p50;
    for (const [name, s] of Object.entries(result))
      log(row(name, s, `p50 ${s.p50 >= none ? "+" : ""}${ms(s.p50 - none)} vs nothing`));
    return result;
  } finally {
    await wrangler.stop();
    await back.close();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runWaitUntilBench();
}
