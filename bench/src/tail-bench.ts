/**
 * `nightshift tail` on a 10,000-event session, the real binary against the real Worker under
 * `wrangler dev`: the events are appended over the sandbox bridge (as the stream bench does),
 * then the CLI is started cold, several times, in text and in --json mode. Reported: spawn → first
 * byte on stdout, and spawn → the last event printed. Targets: first output < 300 ms, all < 2 s.
 *
 * The runs share a compile-cache directory of their own that starts empty: the first text run is
 * the first start after a build (as on a fresh clone), every later one finds the cache that run
 * left, as a person's second `nightshift` does.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BridgeClient, startRecordedStack } from "@nightshift/devstack";
import type { CreateApiKeyResponse } from "@nightshift/protocol";
import { ms, summarize } from "./stats";

const TOTAL = Number(process.env.BENCH_TAIL_EVENTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_TAIL_ROUNDS ?? 5);
const CLI_DIR = fileURLToPath(new URL("../../packages/cli/", import.meta.url));
const CLI_BIN = `${CLI_DIR}bin/nightshift.mjs`;
/**
 * Another build's bin/nightshift.mjs (beside its dist/) to time against this one, round by round
 * in text mode with a compile cache of its own: a before/after that shares the machine's load.
 */
const BASELINE_BIN = process.env.BENCH_TAIL_BASELINE?.trim() || undefined;
const TIMEOUT_MS = 60_000;

interface TailTiming {
  firstOutputMs: number;
  allPrintedMs: number;
}

/** One cold `nightshift tail`: resolves when `lastMarker` appears on stdout, then stops the process. */
function timeTail(
  args: string[],
  env: NodeJS.ProcessEnv,
  lastMarker: string,
  bin: string = CLI_BIN,
): Promise<TailTiming> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let firstOutputMs = -1;
    let tailText = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`nightshift tail did not print all ${TOTAL} events within ${TIMEOUT_MS} ms: ${stderr}`),
      );
    }, TIMEOUT_MS);
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (firstOutputMs < 0) firstOutputMs = performance.now() - started;
      // Keep only a window: the marker may straddle two chunks.
      tailText = (tailText + d).slice(-4096);
      if (tailText.includes(lastMarker)) {
        const allPrintedMs = performance.now() - started;
        clearTimeout(timer);
        child.kill("SIGTERM");
        resolve({ firstOutputMs, allPrintedMs });
      }
    });
    child.once("error", reject);
  });
}

/** Node's own cold start on this machine (spawn → first byte), so the CLI's share can be told apart. */
async function nodeBaselineMs(): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const child = spawn(process.execPath, ["-e", "process.stdout.write('x')"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("error", reject);
    });
    times.push(performance.now() - started);
    await new Promise((resolve) => child.once("close", resolve));
  }
  return summarize(times).p50;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

export interface TailBenchResult {
  events: number;
  rounds: number;
  /** The 1/5/15-minute load averages when the timed runs started and ended. */
  loadAverage: { before: number[]; after: number[] };
  /** First output of the very first run, with an empty compile cache (part of text's figures). */
  coldCacheFirstOutputMs: number;
  /** p50 of a bare `node -e` writing one byte: the floor under every number here. */
  nodeStartP50: number;
  text: { firstOutputP50: number; firstOutputMax: number; allPrintedP50: number; allPrintedMax: number };
  json: { firstOutputP50: number; firstOutputMax: number; allPrintedP50: number; allPrintedMax: number };
}

export async function runTailBench(log: (line: string) => void = console.log): Promise<TailBenchResult> {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: CLI_DIR, stdio: "ignore" });
  const cacheDir = mkdtempSync(join(tmpdir(), "nightshift-tail-bench-cache-"));
  const stack = await startRecordedStack();
  try {
    const { session, sandboxToken } = await stack.createSession("benchmark: nightshift tail");
    const bridge = await BridgeClient.connect(stack.url, sandboxToken);
    bridge.send({ v: 1, type: "hello", runtimeVersion: "bench", lastSeq: 0 });
    for (let next = 1; next <= TOTAL; ) {
      const events = [];
      for (; next <= TOTAL && events.length < 500; next++) {
        events.push({ seq: next, event: { type: "message.delta", messageId: "bench", text: `e${next} ` } });
      }
      bridge.send({ v: 1, type: "events", events });
    }
    await bridge.waitForAck(TOTAL, 120_000);
    bridge.close();
    const me = (await (await fetch(`${stack.url}/api/v1/me`, { headers: stack.headers })).json()) as {
      tenants: { id: string }[];
    };
    const created = await fetch(`${stack.url}/api/v1/tenants/${me.tenants[0]?.id}/api-keys`, {
      method: "POST",
      headers: stack.headers,
      body: JSON.stringify({ name: "tail bench" }),
    });
    const { key } = (await created.json()) as CreateApiKeyResponse;
    const env = { NIGHTSHIFT_URL: stack.url, NIGHTSHIFT_API_KEY: key, NODE_COMPILE_CACHE: cacheDir };
    log(`tail: ${TOTAL} events appended; timing ${ROUNDS} cold runs of \`nightshift tail\` per mode...`);
    const result = {} as TailBenchResult;
    const nodeStartP50 = await nodeBaselineMs();
    log(
      `tail: a bare node process prints its first byte after ${ms(nodeStartP50)} (p50) on this machine now`,
    );
    const before = loadavg();
    let coldCacheFirstOutputMs = Number.NaN;
    log(`tail: load average ${load()} before the timed runs`);
    for (const mode of ["text", "json"] as const) {
      const timings: TailTiming[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const args = mode === "json" ? ["tail", session.id, "--json"] : ["tail", session.id];
        const timing = await timeTail(args, env, mode === "json" ? `"text":"e${TOTAL} "` : `e${TOTAL} `);
        if (Number.isNaN(coldCacheFirstOutputMs)) coldCacheFirstOutputMs = timing.firstOutputMs;
        timings.push(timing);
      }
      const first = summarize(timings.map((t) => t.firstOutputMs));
      const all = summarize(timings.map((t) => t.allPrintedMs));
      log(
        `tail (${mode}) per run (first output / all printed, ms): ${timings
          .map((t) => `${t.firstOutputMs.toFixed(0)}/${t.allPrintedMs.toFixed(0)}`)
          .join(", ")}${mode === "text" ? " (the first with an empty compile cache)" : ""}`,
      );
      result[mode] = {
        firstOutputP50: first.p50,
        firstOutputMax: first.max,
        allPrintedP50: all.p50,
        allPrintedMax: all.max,
      };
      log(
        `tail (${mode}): first output p50 ${ms(first.p50)} (max ${ms(first.max)}); all ${TOTAL} events printed p50 ${ms(all.p50)} (max ${ms(all.max)})`,
      );
    }
    if (BASELINE_BIN) {
      log(`tail: this build against ${BASELINE_BIN}, text mode, interleaved, ${ROUNDS} rounds each...`);
      const baselineCache = mkdtempSync(join(tmpdir(), "nightshift-tail-bench-baseline-cache-"));
      const ours: TailTiming[] = [];
      const theirs: TailTiming[] = [];
      try {
        // One run of each first, so both compile caches are warm when the timed rounds start.
        await timeTail(
          ["tail", session.id],
          { ...env, NODE_COMPILE_CACHE: baselineCache },
          `e${TOTAL} `,
          BASELINE_BIN,
        );
        for (let round = 0; round < ROUNDS; round++) {
          ours.push(await timeTail(["tail", session.id], env, `e${TOTAL} `));
          theirs.push(
            await timeTail(
              ["tail", session.id],
              { ...env, NODE_COMPILE_CACHE: baselineCache },
              `e${TOTAL} `,
              BASELINE_BIN,
            ),
          );
        }
      } finally {
        rmSync(baselineCache, { recursive: true, force: true });
      }
      for (const [name, runs] of [
        ["this build", ours],
        ["baseline", theirs],
      ] as const) {
        const first = summarize(runs.map((t) => t.firstOutputMs));
        const all = summarize(runs.map((t) => t.allPrintedMs));
        log(
          `tail (text, ${name}, interleaved): first output p50 ${ms(first.p50)} (max ${ms(first.max)}), minus bare node ${ms(first.p50 - nodeStartP50)}; all printed p50 ${ms(all.p50)} (max ${ms(all.max)})`,
        );
      }
    }
    log(`tail: load average ${load()} after the timed runs`);
    return {
      ...result,
      events: TOTAL,
      rounds: ROUNDS,
      nodeStartP50,
      loadAverage: { before, after: loadavg() },
      coldCacheFirstOutputMs,
    };
  } finally {
    await stack.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runTailBench();
}
