/**
 * Every agent CLI through Nightshift against the same CLI bare (issue 14). Per agent, on the local
 * host with the scripted model: create → running p50, and a one-reply text turn through Nightshift
 * (follow-up prompt → `turn.end` on the stream: the control plane, the bridge, the runtime, the
 * inner sandbox, the model relay and gateway) vs the same CLI launched bare — the adapter's own
 * arguments and environment, talking to the scripted model directly, no runtime — interleaved.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDemoRepo, REPO_ROOT, type Stack, StreamWatcher, startStack } from "@nightshift/devstack";
import { AGENT_CATALOG, type AgentName } from "@nightshift/protocol";
import { resolveAgentBinary } from "@nightshift/sandbox-runtime/agents/agent-binary";
import { buildChildEnv } from "@nightshift/sandbox-runtime/agents/child-env";
import { defaultAdapters } from "@nightshift/sandbox-runtime/agents/registry";
import type { TurnRequest } from "@nightshift/sandbox-runtime/contract";
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
  n: number;
}

const running = (w: StreamWatcher) =>
  w.events.some((e) => e.event.type === "session.status" && e.event.status === "running");
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

/** One "Say hello." turn of the bare CLI with the adapter's launch, in ms. */
async function bareTurn(agent: AgentName, modelUrl: string): Promise<number> {
  const adapter = defaultAdapters[agent];
  if (!adapter) throw new Error(`the runtime has no adapter for ${agent}`);
  const binary = resolveAgentBinary(adapter.binary, {
    fromUrl: `file://${join(REPO_ROOT, "packages/sandbox-runtime/src/agents/registry.ts")}`,
    path: process.env.PATH,
  });
  if (!binary) throw new Error(`${adapter.binary.name} is not installed`);
  const home = mkdtempSync(join(tmpdir(), "bench-agent-home-"));
  const cwd = mkdtempSync(join(tmpdir(), "bench-agent-cwd-"));
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
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const elapsed = performance.now() - started;
    if (code !== 0) throw new Error(`bare ${agent} failed (${code}): ${tail.slice(-500)}`);
    return elapsed;
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function measureAgent(
  stack: Stack,
  agent: AgentName,
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
    await w.until("running", () => running(w), 90_000);
    ready.push(performance.now() - started);
    await w.until("the first turn to end", () => turnEnds(w) === 1, 90_000);
    w.close();
    model.clearQueue();
    idle = session.id;
  }
  const through: number[] = [];
  const bare: number[] = [];
  const w = await StreamWatcher.open(stack.url, idle, 0, stack.headers);
  try {
    for (let i = 0; i < TURNS; i++) {
      // Two replies each: a CLI may make a side call (a title) before the turn's own; all say the same.
      model.enqueue(HELLO, HELLO);
      bare.push(await bareTurn(agent, model.url));
      model.clearQueue();
      model.enqueue(HELLO, HELLO);
      const before = turnEnds(w);
      const started = performance.now();
      await postJson(stack, `/api/v1/sessions/${idle}/prompts`, { text: "Say hello." });
      await w.until("turn.end", () => turnEnds(w) > before, 90_000);
      through.push(performance.now() - started);
      model.clearQueue();
    }
  } finally {
    w.close();
  }
  const t = summarize(through);
  const b = summarize(bare);
  const result = {
    createToRunning: summarize(ready),
    throughP50: t.p50,
    bareP50: b.p50,
    ratio: t.p50 / b.p50,
    n: TURNS,
  };
  log(
    `${agent}: create → running p50 ${ms(result.createToRunning.p50)}; turn through Nightshift p50 ${ms(t.p50)}, bare p50 ${ms(b.p50)}, ratio ${result.ratio.toFixed(2)}×`,
  );
  return result;
}

export async function runAgentOverheadBench(
  log: (line: string) => void = console.log,
): Promise<Record<string, AgentOverhead>> {
  const wanted = (process.env.BENCH_AGENTS?.split(",") ?? Object.keys(AGENT_CATALOG)) as AgentName[];
  const stack = await startStack({ forceScriptedModel: true });
  try {
    createDemoRepo(stack.reposRoot, "bench-agents");
    log(
      `agents: ${TURNS} text turns each through Nightshift vs bare, interleaved (sandbox ${stack.host.isolation})`,
    );
    const results: Record<string, AgentOverhead> = {};
    for (const agent of wanted) results[agent] = await measureAgent(stack, agent, log);
    return results;
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgentOverheadBench();
}
