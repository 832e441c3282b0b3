/**
 * Every agent CLI through Nightshift against the same CLI bare (issue 14). Per agent, on the local
 * host with the scripted model: create → running p50, and a one-reply text turn through Nightshift
 * (follow-up prompt → `turn.end` on the stream: the control plane, the bridge, the runtime, the
 * inner sandbox, the model relay and gateway) vs the same CLI launched bare — the adapter's own
 * arguments and environment, talking to the scripted model directly, no runtime — interleaved.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDemoRepo, REPO_ROOT, type Stack, StreamWatcher, startStack } from "@nightshift/devstack";
import { AGENT_CATALOG, type AgentName } from "@nightshift/protocol";
import { resolveAgentBinary } from "@nightshift/sandbox-runtime/agents/agent-binary";
import { buildChildEnv } from "@nightshift/sandbox-runtime/agents/child-env";
import { defaultAdapters } from "@nightshift/sandbox-runtime/agents/registry";
import type { TurnRequest } from "@nightshift/sandbox-runtime/contract";
import { type BareSteps, describeSteps, medianSteps, type ThroughSteps, throughSteps } from "./agent-steps";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const TURNS = Number(process.env.BENCH_AGENT_TURNS ?? 5);
const SESSIONS = Number(process.env.BENCH_AGENT_SESSIONS ?? 3);
const HELLO = { kind: "text" as const, text: "Hello." };

export interface AgentOverhead {
  createToRunning: ReturnType<typeof summarize>;
  throughP50: number;
  bareP50: number;
  ratio: number;
  /** The same CLI bare, resuming its own conversation in a git checkout of the bench repository (as the session's turns do). */
  bareResumedP50: number;
  /** Medians per step (agent-steps.ts), ms. */
  steps: {
    through: Record<keyof ThroughSteps, number> | null;
    bare: Record<keyof BareSteps, number> | null;
    bareResumed: Record<keyof BareSteps, number> | null;
  };
  n: number;
}

/** Where a bare run happens: fresh directories each time, or one checkout and HOME kept across turns (resumed). */
interface BarePlace {
  home: string;
  cwd: string;
  resumeSessionId?: string;
}

interface BareRun {
  total: number;
  steps: BareSteps | null;
}

const turnEnds = (w: StreamWatcher) => w.events.filter((e) => e.event.type === "turn.end").length;

/** The model APIs in direct mode (what the relay would otherwise point them at). */
function directModelEnv(url: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: "sk-ant-bench",
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_API_KEY: "sk-bench",
    GOOGLE_GEMINI_BASE_URL: url,
    GEMINI_API_KEY: "bench-key",
  };
}

/** One "Say hello." turn of the bare CLI with the adapter's launch, in ms; in `place` when given (resumed there). */
async function bareTurn(agent: AgentName, modelUrl: string, place?: BarePlace): Promise<BareRun> {
  const adapter = defaultAdapters[agent];
  if (!adapter) throw new Error(`the runtime has no adapter for ${agent}`);
  const binary = resolveAgentBinary(adapter.binary, {
    fromUrl: `file://${join(REPO_ROOT, "packages/sandbox-runtime/src/agents/registry.ts")}`,
    path: process.env.PATH,
  });
  if (!binary) throw new Error(`${adapter.binary.name} is not installed`);
  const home = place?.home ?? mkdtempSync(join(tmpdir(), "bench-agent-home-"));
  const cwd = place?.cwd ?? mkdtempSync(join(tmpdir(), "bench-agent-cwd-"));
  try {
    const request: TurnRequest = {
      promptId: crypto.randomUUID(),
      text: "Say hello.",
      cwd,
      home,
      model: AGENT_CATALOG[agent].defaultModel,
      maxTurns: 5,
      timeoutMs: 60_000,
      env: directModelEnv(modelUrl),
      signal: new AbortController().signal,
      ...(place?.resumeSessionId ? { resumeSessionId: place.resumeSessionId } : {}),
    };
    await adapter.prepare?.(request);
    const launch = adapter.launch(request);
    const env = buildChildEnv({ parent: process.env, home, adapterEnv: launch.env, requestEnv: request.env });
    const started = performance.now();
    // As the runner does: the prompt on stdin when the adapter puts it there, else end-of-file.
    const child = spawn(binary, launch.args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end(launch.stdin ?? "");
    let tail = "";
    const keep = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-2000);
    };
    // The adapter's own parser marks the first token and the terminal record (its usage).
    const parser = adapter.createParser(request, launch);
    const marks: { firstToken?: number; usage?: number } = {};
    let pending = "";
    child.stdout.on("data", (d: Buffer) => {
      keep(d);
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        for (const event of parser.parseLine(line)) {
          if (event.type === "message.delta" || event.type === "message")
            marks.firstToken ??= performance.now() - started;
          if (event.type === "usage") marks.usage ??= performance.now() - started;
        }
      }
    });
    child.stderr.on("data", keep);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const elapsed = performance.now() - started;
    if (code !== 0) throw new Error(`bare ${agent} failed (${code}): ${tail.slice(-500)}`);
    if (place) place.resumeSessionId = parser.finish().sessionId ?? launch.sessionId;
    const { firstToken, usage } = marks;
    const steps =
      firstToken !== undefined && usage !== undefined
        ? { firstToken, stream: usage - firstToken, tail: elapsed - usage }
        : null;
    return { total: elapsed, steps };
  } finally {
    if (!place) {
      rmSync(home, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  }
}

/** A HOME and a git checkout of the bench repository kept across turns, as a session's sandbox keeps them. */
function resumedPlace(repository: string): BarePlace {
  const home = mkdtempSync(join(tmpdir(), "bench-agent-home-"));
  const cwd = join(mkdtempSync(join(tmpdir(), "bench-agent-checkout-")), "work");
  execFileSync("git", ["clone", "-q", repository, cwd]);
  return { home, cwd };
}

async function measureAgent(
  stack: Stack,
  agent: AgentName,
  repository: string,
  log: (line: string) => void,
): Promise<AgentOverhead> {
  const model = stack.model!;
  const ready: number[] = [];
  let idle = "";
  for (let i = 0; i < SESSIONS; i++) {
    model.enqueue(HELLO, HELLO);
    const started = performance.now();
    const session = await postJson(stack, "/api/v1/sessions", {
      repo: { kind: "local", path: "bench-agents" },
      prompt: "Say hello.",
      agent,
    });
    const w = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    await w.until("running", () => w.sawStatus("running"), 90_000);
    ready.push(performance.now() - started);
    await w.until("the first turn to end", () => turnEnds(w) === 1, 90_000);
    w.close();
    model.clearQueue();
    idle = session.id;
  }
  const through: number[] = [];
  const bare: BareRun[] = [];
  const bareResumed: BareRun[] = [];
  const throughStepRows: ThroughSteps[] = [];
  const place = resumedPlace(repository);
  const w = await StreamWatcher.open(stack.url, idle, 0, stack.headers);
  try {
    // The resumed bare CLI's first run starts its conversation; it is not counted.
    model.enqueue(HELLO, HELLO);
    await bareTurn(agent, model.url, place);
    model.clearQueue();
    for (let i = 0; i < TURNS; i++) {
      // Two replies each: a CLI may make a side call (a title) before the turn's own; all say the same.
      model.enqueue(HELLO, HELLO);
      bare.push(await bareTurn(agent, model.url));
      model.clearQueue();
      model.enqueue(HELLO, HELLO);
      bareResumed.push(await bareTurn(agent, model.url, place));
      model.clearQueue();
      model.enqueue(HELLO, HELLO);
      const before = turnEnds(w);
      const fromIndex = w.events.length;
      const startedAt = Date.now();
      const started = performance.now();
      await postJson(stack, `/api/v1/sessions/${idle}/prompts`, { text: "Say hello." });
      await w.until("turn.end", () => turnEnds(w) > before, 90_000);
      through.push(performance.now() - started);
      const steps = throughSteps(w.events, fromIndex, startedAt, (seq) => {
        const at = w.receivedAt.get(seq);
        return at === undefined ? undefined : performance.timeOrigin + at;
      });
      if (steps) throughStepRows.push(steps);
      model.clearQueue();
    }
  } finally {
    w.close();
    rmSync(place.home, { recursive: true, force: true });
    rmSync(join(place.cwd, ".."), { recursive: true, force: true });
  }
  const t = summarize(through);
  const b = summarize(bare.map((run) => run.total));
  const r = summarize(bareResumed.map((run) => run.total));
  const stepsOf = (runs: BareRun[]) => medianSteps(runs.flatMap((run) => (run.steps ? [run.steps] : [])));
  const result: AgentOverhead = {
    createToRunning: summarize(ready),
    throughP50: t.p50,
    bareP50: b.p50,
    ratio: t.p50 / b.p50,
    bareResumedP50: r.p50,
    steps: { through: medianSteps(throughStepRows), bare: stepsOf(bare), bareResumed: stepsOf(bareResumed) },
    n: TURNS,
  };
  log(
    `${agent}: create → running p50 ${ms(result.createToRunning.p50)}; turn through Nightshift p50 ${ms(t.p50)}, bare p50 ${ms(b.p50)}, ratio ${result.ratio.toFixed(2)}×; bare resumed in a checkout p50 ${ms(r.p50)} (${(t.p50 / r.p50).toFixed(2)}×)`,
  );
  log(`  steps through (ms, p50): ${describeSteps(result.steps.through)}`);
  log(
    `  steps bare: ${describeSteps(result.steps.bare)}; bare resumed: ${describeSteps(result.steps.bareResumed)}`,
  );
  return result;
}

export async function runAgentOverheadBench(
  log: (line: string) => void = console.log,
): Promise<Record<string, AgentOverhead>> {
  const wanted = (process.env.BENCH_AGENTS?.split(",") ?? Object.keys(AGENT_CATALOG)) as AgentName[];
  const stack = await startStack({ forceScriptedModel: true });
  try {
    const repository = createDemoRepo(stack.reposRoot, "bench-agents");
    log(
      `agents: ${TURNS} text turns each through Nightshift vs bare, interleaved (sandbox ${stack.host.isolation})`,
    );
    const results: Record<string, AgentOverhead> = {};
    for (const agent of wanted) results[agent] = await measureAgent(stack, agent, repository, log);
    return results;
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgentOverheadBench();
}
