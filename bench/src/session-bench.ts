/**
 * Session benchmarks on the full local stack (Worker, sandbox host with bubblewrap, the real
 * `claude` CLI, the scripted model):
 * - create → ready: from POST /sessions to the session running its first prompt (sandbox
 *   created, runtime connected, repository cloned);
 * - per-turn overhead: one scripted turn through Nightshift (prompt in → turn.end out) against the
 *   same CLI run bare against the same model with the same reply, interleaved, as a ratio.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createDemoRepo, REPO_ROOT, StreamWatcher, startStack } from "@nightshift/devstack";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 8);
const TURNS = Number(process.env.BENCH_TURNS ?? 8);
/** The CLI's own executable as installed for the runtime (not pnpm's shell wrapper), as the runtime runs it. */
function claudeExecutable(): string {
  const require = createRequire(join(REPO_ROOT, "packages/sandbox-runtime/package.json"));
  const manifestPath = require.resolve("@anthropic-ai/claude-code/package.json");
  const bin = (JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: string | Record<string, string> })
    .bin;
  return resolve(dirname(manifestPath), typeof bin === "string" ? bin : (bin.claude ?? ""));
}
const CLAUDE = claudeExecutable();

export interface SessionBenchResult {
  createToReady: { n: number; p50: number; p99: number; max: number };
  turn: { nightshiftP50: number; bareP50: number; ratio: number; n: number };
}

const running = (w: StreamWatcher) =>
  w.events.some((e) => e.event.type === "session.status" && e.event.status === "running");
const turnEnds = (w: StreamWatcher) => w.events.filter((e) => e.event.type === "turn.end").length;

/** Runs the CLI bare (asynchronously: the scripted model answers from this same process). */
async function bareTurn(modelUrl: string): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "bench-bare-home-"));
  const cwd = mkdtempSync(join(tmpdir(), "bench-bare-cwd-"));
  execFileSync("git", ["init", "-q"], { cwd });
  const args = ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"];
  args.push("--dangerously-skip-permissions", "--", "Say hello.");
  const started = performance.now();
  const child = spawn(CLAUDE, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      IS_SANDBOX: "1",
      ANTHROPIC_BASE_URL: modelUrl,
      ANTHROPIC_API_KEY: "sk-ant-scripted-model",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_MAX_RETRIES: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output = (output + d.toString()).slice(-2000);
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  const elapsed = performance.now() - started;
  rmSync(home, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
  if (code !== 0) throw new Error(`bare claude failed (${code}): ${output.slice(-500)}`);
  return elapsed;
}

export async function runSessionBench(
  log: (line: string) => void = console.log,
): Promise<SessionBenchResult> {
  const stack = await startStack({ forceScriptedModel: true });
  try {
    createDemoRepo(stack.reposRoot, "bench");
    log(`sessions: create → ready for ${SESSIONS} sessions (sandbox ${stack.host.isolation})...`);
    const readyTimes: number[] = [];
    let idleSession = "";
    for (let i = 0; i < SESSIONS; i++) {
      stack.model!.enqueue({ kind: "text", text: "Ready." });
      const started = performance.now();
      const session = await postJson(stack, "/api/v1/sessions", {
        repo: { kind: "local", path: "bench" },
        prompt: "Say ready.",
      });
      const w = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
      await w.until("running", () => running(w), 60_000);
      readyTimes.push(performance.now() - started);
      await w.until("the first turn to end", () => turnEnds(w) === 1, 60_000);
      w.close();
      idleSession = session.id;
    }
    const ready = summarize(readyTimes);
    log(`sessions: create → ready p50 ${ms(ready.p50)}, p99 ${ms(ready.p99)}, max ${ms(ready.max)}`);

    log(`turns: ${TURNS} scripted turns through Nightshift vs the bare CLI, interleaved...`);
    const through: number[] = [];
    const bare: number[] = [];
    const w = await StreamWatcher.open(stack.url, idleSession, 0, stack.headers);
    for (let i = 0; i < TURNS; i++) {
      stack.model!.enqueue({ kind: "text", text: "Hello." });
      bare.push(await bareTurn(stack.model!.url));
      stack.model!.enqueue({ kind: "text", text: "Hello." });
      const before = turnEnds(w);
      const started = performance.now();
      await postJson(stack, `/api/v1/sessions/${idleSession}/prompts`, { text: "Say hello." });
      await w.until("turn.end", () => turnEnds(w) > before, 60_000);
      through.push(performance.now() - started);
    }
    w.close();
    const t = summarize(through);
    const b = summarize(bare);
    const turn = { nightshiftP50: t.p50, bareP50: b.p50, ratio: t.p50 / b.p50, n: TURNS };
    log(
      `turns: through Nightshift p50 ${ms(t.p50)}, bare CLI p50 ${ms(b.p50)}, ratio ${turn.ratio.toFixed(2)}×`,
    );
    return { createToReady: ready, turn };
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runSessionBench();
}
