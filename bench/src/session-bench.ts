import { createDemoRepo, StreamWatcher, startStack } from "@nightshift/devstack";
import { bareTurn, claudeExecutable } from "./bare-turn";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 8);
const TURNS = Number(process.env.BENCH_TURNS ?? 8);
const CLAUDE = claudeExecutable();

export interface SessionBenchResult {
  createToReady: { n: number; p50: number; p99: number; max: number };
  turn: { nightshiftP50: number; bareP50: number; ratio: number; n: number };
}

const turnEnds = (w: StreamWatcher) => w.events.filter((e) => e.event.type === "turn.end").length;

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
      await w.until("running", () => w.sawStatus("running"), 60_000);
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
      bare.push(await bareTurn(CLAUDE, stack.model!.url));
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
