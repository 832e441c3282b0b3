/**
 * Warm vs cold start (issue 13 §7) on the local host: two identical repositories whose setup hook
 * takes noticeable time (sleeps 2 s and writes 300 node_modules-like packages, as an install
 * would), one with warm start on (prebuilt snapshot: no clone, setup skipped), one without
 * (clone, then the setup hook). Sessions alternate between them, round by round, in alternating
 * order, so load drifts hit both alike. Measured per session: create → ready (the session's
 * `running` status: sandbox created, workspace prepared, hooks done, runtime ready) and create →
 * turn end (a one-reply turn). Also: how long the first prebuild took (turned on → snapshot ready).
 */
import {
  createSetupRepo,
  localWarm,
  type Stack,
  StreamWatcher,
  setWarmStart,
  startStack,
  stopSession,
  waitForWarmSnapshot,
} from "@nightshift/devstack";
import { postJson } from "./stack-api";
import { ms, percentile, summarize } from "./stats";

const ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 6);
const SETUP_SECONDS = 2;
const SETUP_PACKAGES = 300;

type Mode = "warm" | "cold";
const REPOS: Record<Mode, string> = { warm: "warm-bench", cold: "cold-bench" };

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { ...summarize(values), p90: percentile(sorted, 90) };
}

export interface WarmBenchResult {
  setupHook: string;
  rounds: number;
  /** Samples thrown away because the session never got ready (see withRetries). */
  discarded: number;
  prebuildMs: number;
  createToReady: Record<Mode, ReturnType<typeof summary>>;
  createToTurnEnd: Record<Mode, ReturnType<typeof summary>>;
}

const turnEnded = (w: StreamWatcher) => w.events.some((e) => e.event.type === "turn.end");

async function oneSession(stack: Stack, mode: Mode): Promise<{ ready: number; turn: number }> {
  stack.model!.enqueue({ kind: "text", text: "Ready." });
  const started = performance.now();
  const session = await postJson(stack, "/api/v1/sessions", {
    repo: { kind: "local", path: REPOS[mode] },
    prompt: "Say ready.",
  });
  const w = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
  const seen = (err: Error) => {
    const streamed = w.events.map((e) =>
      e.event.type === "log" ? `log: ${e.event.text.trim()}` : e.event.type,
    );
    return new Error(`${mode}: ${err.message}; the session streamed: ${streamed.join(" | ")}`);
  };
  await w
    .until("running", () => w.sawStatus("running"), 60_000)
    .catch((err: Error) => {
      throw seen(err);
    });
  const ready = performance.now() - started;
  await w
    .until("the turn to end", () => turnEnded(w), 120_000)
    .catch((err: Error) => {
      throw seen(err);
    });
  const turn = performance.now() - started;
  const warm = /warm start: from the repository's prebuilt snapshot/.test(w.logText());
  w.close();
  await stopSession(stack, session.id);
  if (warm !== (mode === "warm")) throw new Error(`a ${mode} session started ${warm ? "warm" : "cold"}`);
  return { ready, turn };
}

/**
 * A sample whose session never gets ready is retried (at most twice) and counted as discarded:
 * `wrangler dev` reloads the Worker when a watched source changes, which resets the session's DO
 * mid-start; on a machine shared with people editing the tree that happens, and says nothing
 * about warm or cold starts.
 */
async function withRetries<T>(
  sample: () => Promise<T>,
  log: (line: string) => void,
  discard: (n: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sample();
    } catch (err) {
      if (attempt >= 3) throw err;
      discard(1);
      log(`warm: a sample was discarded (${(err as Error).message.slice(0, 300)})`);
    }
  }
}

export async function runWarmBench(log: (line: string) => void = console.log): Promise<WarmBenchResult> {
  const stack = await startStack({ forceScriptedModel: true });
  try {
    for (const repo of Object.values(REPOS))
      createSetupRepo(stack.reposRoot, repo, SETUP_SECONDS, SETUP_PACKAGES);
    const turnedOn = performance.now();
    await setWarmStart(localWarm(stack, REPOS.warm), true);
    await waitForWarmSnapshot(localWarm(stack, REPOS.warm), { timeoutMs: 180_000 });
    const prebuildMs = performance.now() - turnedOn;
    log(
      `warm: prebuild (clone + setup hook + snapshot) ${ms(prebuildMs)}; ${ROUNDS} rounds of warm and cold...`,
    );
    const ready: Record<Mode, number[]> = { warm: [], cold: [] };
    let discarded = 0;
    const turn: Record<Mode, number[]> = { warm: [], cold: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const order: Mode[] = i % 2 === 0 ? ["warm", "cold"] : ["cold", "warm"];
      for (const mode of order) {
        const t = await withRetries(
          () => oneSession(stack, mode),
          log,
          (n) => {
            discarded += n;
          },
        );
        ready[mode].push(t.ready);
        turn[mode].push(t.turn);
      }
    }
    const result: WarmBenchResult = {
      setupHook: `sleep ${SETUP_SECONDS} s, then write ${SETUP_PACKAGES} node_modules packages`,
      rounds: ROUNDS,
      discarded,
      prebuildMs,
      createToReady: { warm: summary(ready.warm), cold: summary(ready.cold) },
      createToTurnEnd: { warm: summary(turn.warm), cold: summary(turn.cold) },
    };
    for (const mode of ["warm", "cold"] as const) {
      const r = result.createToReady[mode];
      const t = result.createToTurnEnd[mode];
      log(
        `warm: ${mode} create → ready p50 ${ms(r.p50)}, p90 ${ms(r.p90)}, max ${ms(r.max)}; create → turn end p50 ${ms(t.p50)}, p90 ${ms(t.p90)}`,
      );
    }
    return result;
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runWarmBench();
