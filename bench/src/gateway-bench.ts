/**
 * The model gateway's cost, same run, same scripted model:
 * - per turn: the bare `claude` turn talking to the scripted model directly vs through the
 *   runtime's relay → the Worker's gateway (wrangler dev) → the scripted model (target ≤ 1.1×);
 * - time to first token: a streamed Messages call's first text delta, direct vs through relay and
 *   gateway (target: + p50 < 10 ms), decomposed in the same interleaved rounds into
 *   - the Worker's bare round trip on the gateway's own path (the same POST without a token: the
 *     local dev server's proxy chain, routing and middleware, answered 401 before any I/O),
 *   - the relay (through it vs straight to the Worker with the token),
 *   - the gateway's own time (straight to the Worker, less the direct call, less that round trip).
 * Every number is printed with the machine's load average, which other work changes.
 * The sandbox token is the one the control plane hands a real session's runtime: the bootstrap
 * token is read off the signed create request on its way to the sandbox host (a pass-through
 * proxy: the signature stays valid) and the token its exchange gives is minted with the stack's
 * SANDBOX_TOKEN_SECRET (the runtime itself spends the bootstrap token).
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import {
  createDemoRepo,
  type Stack,
  StreamWatcher,
  sandboxTokenForBootstrap,
  startStack,
} from "@nightshift/devstack";
import { startModelRelay } from "@nightshift/sandbox-runtime/model-relay";
import { bareTurn, claudeExecutable } from "./bare-turn";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const TURNS = Number(process.env.GATEWAY_BENCH_TURNS ?? 8);
const TTFT_CALLS = Number(process.env.GATEWAY_BENCH_CALLS ?? 30);
/** The stack's sandbox token secret, so the bench can mint the token a bootstrap exchange gives. */
const TOKEN_SECRET = `${crypto.randomUUID()}${crypto.randomUUID()}`;

/** Forwards everything to the sandbox host unchanged and keeps the first bootstrap token it sees. */
async function tokenTap(): Promise<{
  url: string;
  target: (url: string) => void;
  token: Promise<string>;
  close(): void;
}> {
  let target = "";
  let found: (token: string) => void = () => {};
  const token = new Promise<string>((resolve) => {
    found = resolve;
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const seen = /"NIGHTSHIFT_BOOTSTRAP_TOKEN":"([^"]+)"/.exec(body.toString("utf8"));
      if (seen?.[1]) found(seen[1]);
      const out = httpRequest(
        `${target}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on("error", () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    target: (url) => {
      target = url;
    },
    token,
    close: () => server.close(),
  };
}

/** ms from sending a streamed Messages call to its first text delta. */
async function firstToken(
  baseUrl: string,
  auth: Record<string, string> = { "x-api-key": "sk-ant-scripted-model" },
): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...auth,
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  let at = Number.NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (Number.isNaN(at) && text.includes("text_delta")) at = performance.now() - started;
  }
  if (Number.isNaN(at)) throw new Error(`no text delta from ${baseUrl}: ${res.status} ${text.slice(0, 300)}`);
  return at;
}

async function liveSessionToken(stack: Stack, tap: Awaited<ReturnType<typeof tokenTap>>): Promise<string> {
  createDemoRepo(stack.reposRoot, "gateway-bench");
  const { id } = await postJson(stack, "/api/v1/sessions", {
    repo: { kind: "local", path: "gateway-bench" },
    prompt: "Say hello.",
  });
  const watcher = await StreamWatcher.open(stack.url, id, 0, stack.headers);
  await watcher.until(
    "the first turn",
    () => watcher.events.some((e) => e.event.type === "turn.end"),
    120_000,
  );
  watcher.close();
  return sandboxTokenForBootstrap(await tap.token, TOKEN_SECRET);
}

/** A POST on the gateway's own path that the Worker answers at once (no token: 401, no I/O). */
async function samePathRoundTrip(workerUrl: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${workerUrl}/sandbox/model/anthropic/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: "{}",
  });
  await res.text();
  if (res.status !== 401) throw new Error(`expected 401 from the token-less call, got ${res.status}`);
  return performance.now() - started;
}

async function healthRoundTrip(workerUrl: string): Promise<number> {
  const started = performance.now();
  await (await fetch(`${workerUrl}/api/v1/health`)).text();
  return performance.now() - started;
}

/**
 * TTFT_CALLS rounds; each round takes every measure once, starting at a different one each round so
 * that no measure always runs first (or right after another). Differences are taken per round.
 */
async function firstTokenRounds(modelUrl: string, relayUrl: string, workerUrl: string, token: string) {
  const gatewayUrl = `${workerUrl}/sandbox/model/anthropic`;
  const measures = {
    direct: () => firstToken(modelUrl),
    endToEnd: () => firstToken(relayUrl),
    withoutRelay: () => firstToken(gatewayUrl, { authorization: `Bearer ${token}` }),
    samePath: () => samePathRoundTrip(workerUrl),
    health: () => healthRoundTrip(workerUrl),
  };
  const names = Object.keys(measures) as (keyof typeof measures)[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<
    keyof typeof measures,
    number[]
  >;
  for (let round = 0; round < TTFT_CALLS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length] as keyof typeof measures;
      samples[name].push(await measures[name]());
    }
  }
  const per = (f: (i: number) => number) => summarize(samples.direct.map((_, i) => f(i)));
  const at = (name: keyof typeof measures, i: number) => samples[name][i] ?? Number.NaN;
  return {
    direct: summarize(samples.direct),
    endToEnd: summarize(samples.endToEnd),
    withoutRelay: summarize(samples.withoutRelay),
    workerSamePathRoundTrip: summarize(samples.samePath),
    workerHealthRoundTrip: summarize(samples.health),
    /** End to end less direct, per round. */
    added: per((i) => at("endToEnd", i) - at("direct", i)),
    relay: per((i) => at("endToEnd", i) - at("withoutRelay", i)),
    /** The gateway's own work: straight to the Worker, less the direct call and the bare round trip. */
    gatewayOwn: per((i) => at("withoutRelay", i) - at("direct", i) - at("samePath", i)),
  };
}

function report(
  turn: { direct: { p50: number }; gateway: { p50: number } },
  ratio: number,
  r: Awaited<ReturnType<typeof firstTokenRounds>>,
  load: { atStart: number; atEnd: number },
): void {
  console.log(
    `load average (1 min): ${load.atStart.toFixed(2)} at start, ${load.atEnd.toFixed(2)} at the end`,
  );
  console.log(
    `per turn p50: direct ${ms(turn.direct.p50)}, through the gateway ${ms(turn.gateway.p50)} (${ratio.toFixed(3)}×, target ≤ 1.1×)`,
  );
  console.log(
    `first token p50: direct ${ms(r.direct.p50)}, end to end ${ms(r.endToEnd.p50)}; added per round p50 ${ms(r.added.p50)} (target < 10 ms)`,
  );
  console.log(
    `  of which: the Worker's bare round trip on the same path ${ms(r.workerSamePathRoundTrip.p50)} (/api/v1/health ${ms(r.workerHealthRoundTrip.p50)}), ` +
      `the relay ${ms(r.relay.p50)}, the gateway's own work ${ms(r.gatewayOwn.p50)} (p95 ${ms(r.gatewayOwn.p95)})`,
  );
}

export async function runGatewayBench() {
  const tap = await tokenTap();
  const stack = await startStack({
    forceScriptedModel: true,
    vars: { SANDBOX_HOST_URL: tap.url, SANDBOX_TOKEN_SECRET: TOKEN_SECRET },
  });
  tap.target(stack.host.url);
  try {
    const loadAtStart = loadavg()[0] ?? Number.NaN;
    const token = await liveSessionToken(stack, tap);
    const relay = await startModelRelay({ controlPlaneUrl: stack.url, token: () => token });
    const model = stack.model;
    if (!model) throw new Error("the gateway bench needs the scripted model");
    const viaGateway = relay.baseUrl("anthropic");
    const claude = claudeExecutable();
    // Warm both paths (JIT, connections, the gateway's caches) before measuring.
    if (TURNS > 0) {
      await bareTurn(claude, model.url);
      await bareTurn(claude, viaGateway);
    }
    const direct: number[] = [];
    const gateway: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      // Interleaved, so drift in machine load hits both sides alike.
      direct.push(await bareTurn(claude, model.url));
      gateway.push(await bareTurn(claude, viaGateway));
    }
    const rounds = await firstTokenRounds(model.url, viaGateway, stack.url, token);
    await relay.close();
    const turn = { direct: summarize(direct), gateway: summarize(gateway) };
    const ratio = turn.gateway.p50 / turn.direct.p50;
    const load = { atStart: loadAtStart, atEnd: loadavg()[0] ?? Number.NaN };
    report(turn, ratio, rounds, load);
    return {
      turns: TURNS,
      calls: TTFT_CALLS,
      load,
      turn,
      ratio,
      ttft: rounds,
      addedTtftP50Ms: rounds.added.p50,
    };
  } finally {
    await stack.close();
    tap.close();
  }
}
