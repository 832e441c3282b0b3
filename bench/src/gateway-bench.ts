/**
 * The model gateway's cost, same run, same scripted model:
 * - per turn: the bare `claude` turn talking to the scripted model directly vs through the
 *   runtime's relay → the Worker's gateway (wrangler dev) → the scripted model (target ≤ 1.1×);
 * - time to first token: a streamed Messages call's first text delta, direct vs through relay and
 *   gateway (target: + p50 < 10 ms).
 * The sandbox token is the one the control plane minted for a real session, read off the signed
 * create request on its way to the sandbox host (a pass-through proxy: the signature stays valid).
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { createDemoRepo, type Stack, StreamWatcher, startStack } from "@nightshift/devstack";
import { startModelRelay } from "@nightshift/sandbox-runtime/model-relay";
import { bareTurn, claudeExecutable } from "./bare-turn";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const TURNS = Number(process.env.GATEWAY_BENCH_TURNS ?? 8);
const TTFT_CALLS = Number(process.env.GATEWAY_BENCH_CALLS ?? 30);

/** Forwards everything to the sandbox host unchanged and keeps the first sandbox token it sees. */
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
      const seen = /"NIGHTSHIFT_SANDBOX_TOKEN":"([^"]+)"/.exec(body.toString("utf8"));
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
  return tap.token;
}

export async function runGatewayBench() {
  const tap = await tokenTap();
  const stack = await startStack({ forceScriptedModel: true, vars: { SANDBOX_HOST_URL: tap.url } });
  tap.target(stack.host.url);
  try {
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
    const ttftDirect: number[] = [];
    const ttftGateway: number[] = [];
    // Where the added time goes: the gateway without the relay, and the Worker's bare round trip.
    const ttftNoRelay: number[] = [];
    const workerRoundTrip: number[] = [];
    const gatewayUrl = `${stack.url}/sandbox/model/anthropic`;
    for (let i = 0; i < TTFT_CALLS; i++) {
      ttftDirect.push(await firstToken(model.url));
      ttftGateway.push(await firstToken(viaGateway));
      ttftNoRelay.push(await firstToken(gatewayUrl, { authorization: `Bearer ${token}` }));
      const started = performance.now();
      await (await fetch(`${stack.url}/api/v1/health`)).text();
      workerRoundTrip.push(performance.now() - started);
    }
    await relay.close();
    const turn = { direct: summarize(direct), gateway: summarize(gateway) };
    const ttft = {
      direct: summarize(ttftDirect),
      gateway: summarize(ttftGateway),
      gatewayWithoutRelay: summarize(ttftNoRelay),
      workerHealthRoundTrip: summarize(workerRoundTrip),
    };
    const ratio = turn.gateway.p50 / turn.direct.p50;
    const addedTtft = ttft.gateway.p50 - ttft.direct.p50;
    console.log(
      `per turn p50: direct ${ms(turn.direct.p50)}, through the gateway ${ms(turn.gateway.p50)} (${ratio.toFixed(3)}×, target ≤ 1.1×)`,
    );
    console.log(
      `first token p50: direct ${ms(ttft.direct.p50)}, through the gateway ${ms(ttft.gateway.p50)} (+${ms(addedTtft)}, target < 10 ms)`,
    );
    console.log(
      `  without the relay ${ms(ttft.gatewayWithoutRelay.p50)}; the Worker's /health round trip ${ms(ttft.workerHealthRoundTrip.p50)}`,
    );
    return { turns: TURNS, calls: TTFT_CALLS, turn, ttft, ratio, addedTtftP50Ms: addedTtft };
  } finally {
    await stack.close();
    tap.close();
  }
}
