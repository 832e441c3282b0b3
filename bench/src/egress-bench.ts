import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDemoRepo, ensureRuntimeBundle, RUNTIME_BUNDLE } from "@nightshift/devstack";
import {
  hostSigningString,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  SandboxInfo,
  signHostRequest,
} from "@nightshift/protocol";
import { type RunningSandboxHost, silentHostLogger, startSandboxHost } from "@nightshift/sandbox-host";
import { startScriptedModel } from "@nightshift/testkit/model";
import { bareTurn, claudeExecutable, SCRIPTED_MODEL_KEY } from "./bare-turn";
import { SandboxBridge } from "./sandbox-bridge";
import { ms, summarize } from "./stats";

const CREATES = Number(process.env.BENCH_SANDBOXES ?? 8);
const TURNS = Number(process.env.BENCH_TURNS ?? 8);
const API_KEY = SCRIPTED_MODEL_KEY;
const SECRET = `${crypto.randomUUID()}${crypto.randomUUID()}`;

export interface EgressBenchResult {
  createToReady: ReturnType<typeof summarize>;
  createToReadyShared: ReturnType<typeof summarize>;
  turn: {
    isolatedP50: number;
    sharedP50: number;
    bareP50: number;
    isolatedVsShared: number;
    isolatedVsBare: number;
    n: number;
  };
}

async function createSandbox(
  host: RunningSandboxHost,
  bridge: SandboxBridge,
  token: string,
): Promise<SandboxInfo> {
  const body = JSON.stringify({
    sessionId: `ses_${token.slice(-12)}`,
    incarnation: token,
    repo: { kind: "local", path: "bench" },
    env: {
      NIGHTSHIFT_SESSION_ID: `ses_${token.slice(-12)}`,
      NIGHTSHIFT_CONTROL_PLANE_URL: bridge.url,
      NIGHTSHIFT_SANDBOX_TOKEN: token,
      NIGHTSHIFT_BRANCH: `nightshift/bench-${token.slice(-8)}`,
      NIGHTSHIFT_AGENT: "claude-code",
    },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await signHostRequest(
    SECRET,
    hostSigningString(timestamp, "POST", "/v1/sandboxes", body),
  );
  const res = await fetch(`${host.url}/v1/sandboxes`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [SANDBOX_HOST_TIMESTAMP_HEADER]: timestamp,
      [SANDBOX_HOST_SIGNATURE_HEADER]: signature,
    },
    body,
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return SandboxInfo.parse(await res.json());
}

async function sandboxTurn(bridge: SandboxBridge, token: string, n: number): Promise<number> {
  const before = bridge.turnEnds(token);
  const started = performance.now();
  bridge.send(token, {
    v: 1,
    type: "prompt",
    promptId: `p${n}`,
    text: "Say hello.",
    author: { name: "Bench", email: "bench@example.com" },
  });
  await bridge.until(token, "turn.end", () => bridge.turnEnds(token) > before);
  return performance.now() - started;
}

export async function runEgressBench(log: (line: string) => void = console.log): Promise<EgressBenchResult> {
  await ensureRuntimeBundle();
  const root = mkdtempSync(join(tmpdir(), "bench-egress-"));
  const reposRoot = join(root, "repos");
  mkdirSync(reposRoot);
  createDemoRepo(reposRoot, "bench");
  const model = await startScriptedModel({ apiKey: API_KEY });
  const bridge = await SandboxBridge.start();
  const hostEnv = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: API_KEY };
  const start = (isolation: "bubblewrap" | "process") =>
    startSandboxHost({
      secret: SECRET,
      port: 0,
      reposRoot,
      dataDir: join(root, isolation),
      runtimePath: RUNTIME_BUNDLE,
      // A developer's machine: local repositories, and `process` isolation for the shared baseline.
      mode: "local",
      isolation,
      hostEnv,
      log: silentHostLogger,
    });
  const isolated = await start("bubblewrap");
  const shared = await start("process");
  try {
    log(`egress: create → ready for ${CREATES} sandboxes each, isolated and shared network, interleaved...`);
    const readyTimes = { isolated: [] as number[], shared: [] as number[] };
    for (let i = 0; i < CREATES; i++) {
      for (const [kind, host] of [
        ["isolated", isolated],
        ["shared", shared],
      ] as const) {
        const token = `bench-ready-${kind}-${i}-${crypto.randomUUID()}`;
        const started = performance.now();
        const info = await createSandbox(host, bridge, token);
        await bridge.until(token, "ready", (c) => c.ready);
        readyTimes[kind].push(performance.now() - started);
        await host.manager.terminate(info.id);
      }
    }
    const ready = summarize(readyTimes.isolated);
    const readyShared = summarize(readyTimes.shared);
    log(
      `egress: create → ready isolated p50 ${ms(ready.p50)} (p99 ${ms(ready.p99)}), ` +
        `shared p50 ${ms(readyShared.p50)} (p99 ${ms(readyShared.p99)})`,
    );

    const isolatedToken = `bench-isolated-${crypto.randomUUID()}`;
    const sharedToken = `bench-shared-${crypto.randomUUID()}`;
    await createSandbox(isolated, bridge, isolatedToken);
    await createSandbox(shared, bridge, sharedToken);
    await bridge.until(isolatedToken, "ready (isolated)", (c) => c.ready);
    await bridge.until(sharedToken, "ready (shared)", (c) => c.ready);
    log(`egress: ${TURNS} scripted turns each: isolated network, shared network, bare CLI, interleaved...`);
    const claude = claudeExecutable();
    const times = { isolated: [] as number[], shared: [] as number[], bare: [] as number[] };
    await sandboxTurn(bridge, isolatedToken, -1); // warm-up: the first turn pays for the CLI's first start
    await sandboxTurn(bridge, sharedToken, -1);
    for (let i = 0; i < TURNS; i++) {
      times.isolated.push(await sandboxTurn(bridge, isolatedToken, i));
      times.shared.push(await sandboxTurn(bridge, sharedToken, i));
      times.bare.push(await bareTurn(claude, model.url));
    }
    const [isolatedP50, sharedP50, bareP50] = [times.isolated, times.shared, times.bare].map(
      (t) => summarize(t).p50,
    ) as [number, number, number];
    const turn = {
      isolatedP50,
      sharedP50,
      bareP50,
      isolatedVsShared: isolatedP50 / sharedP50,
      isolatedVsBare: isolatedP50 / bareP50,
      n: TURNS,
    };
    log(
      `egress: turn p50 isolated ${ms(isolatedP50)}, shared ${ms(sharedP50)}, bare CLI ${ms(bareP50)}; ` +
        `isolated/shared ${turn.isolatedVsShared.toFixed(2)}×, isolated/bare ${turn.isolatedVsBare.toFixed(2)}×`,
    );
    return { createToReady: ready, createToReadyShared: readyShared, turn };
  } finally {
    await isolated.close();
    await shared.close();
    await bridge.stop();
    await model.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runEgressBench();
}
