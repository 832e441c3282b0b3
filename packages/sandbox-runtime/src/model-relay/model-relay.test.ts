/**
 * The model relay against a stand-in for the control plane on loopback: what the agent presents
 * never leaves the sandbox, the runtime's current token goes instead, and answers stream through.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GATEWAY_PLACEHOLDER_KEY } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { applyModelRelay } from "./agent-model-env";
import { type ModelRelay, startModelRelay } from "./model-relay";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let gateway: Server | undefined;
let relay: ModelRelay | undefined;

afterEach(async () => {
  await relay?.close();
  await new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
  relay = undefined;
  gateway = undefined;
});

/** A control plane stand-in: records each request, answers with SSE chunks `gapMs` apart. */
async function standInGateway(chunks: string[], gapMs: number) {
  const seen: Seen[] = [];
  gateway = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", async () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const chunk of chunks) {
        res.write(chunk);
        await new Promise((r) => setTimeout(r, gapMs));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => gateway?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/base`, seen };
}

describe("model relay", () => {
  it("the agent's key and auth headers never reach the gateway; the runtime's current token does", async () => {
    const stand = await standInGateway(["data: {}\n\n"], 0);
    let token = "sandbox-token-one-0123456789";
    relay = await startModelRelay({ controlPlaneUrl: stand.url, token: () => token });
    const call = () =>
      fetch(`${relay?.baseUrl("anthropic")}/v1/messages?beta=true`, {
        method: "POST",
        headers: {
          "x-api-key": GATEWAY_PLACEHOLDER_KEY,
          authorization: "Bearer agent-chosen",
          "x-goog-api-key": "agent-chosen",
          "anthropic-version": "2023-06-01",
        },
        body: '{"model":"m"}',
      }).then((r) => r.text());
    await call();
    token = "sandbox-token-two-renewed-987654";
    await call();
    expect(stand.seen.map((s) => s.url)).toEqual([
      "/base/sandbox/model/anthropic/v1/messages?beta=true",
      "/base/sandbox/model/anthropic/v1/messages?beta=true",
    ]);
    expect(stand.seen.map((s) => s.headers.authorization)).toEqual([
      "Bearer sandbox-token-one-0123456789",
      "Bearer sandbox-token-two-renewed-987654",
    ]);
    for (const s of stand.seen) {
      expect(s.headers["x-api-key"]).toBeUndefined();
      expect(s.headers["x-goog-api-key"]).toBeUndefined();
      expect(s.headers["anthropic-version"]).toBe("2023-06-01");
      expect(s.body).toBe('{"model":"m"}');
    }
  });

  it("streams the answer chunk by chunk instead of buffering it", async () => {
    const chunks = ["data: 1\n\n", "data: 2\n\n", "data: 3\n\n", "data: 4\n\n"];
    const stand = await standInGateway(chunks, 150);
    relay = await startModelRelay({ controlPlaneUrl: stand.url, token: () => "t".repeat(30) });
    const res = await fetch(`${relay.baseUrl("openai")}/v1/chat/completions`, { method: "POST", body: "{}" });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const arrivals: number[] = [];
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
      text += new TextDecoder().decode(value);
    }
    expect(text).toBe(chunks.join(""));
    // Four chunks 150 ms apart: buffered, they would all arrive at once.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(300);
  });

  it("answers an unknown provider with 404 and sends nothing on", async () => {
    const stand = await standInGateway([], 0);
    relay = await startModelRelay({ controlPlaneUrl: stand.url, token: () => "t".repeat(30) });
    const res = await fetch(`http://127.0.0.1:${relay.port}/sandbox/connect`);
    expect(res.status).toBe(404);
    expect(stand.seen).toHaveLength(0);
  });

  it("gives the agent the relay and a placeholder, never a model key, and bypasses the egress proxy for it", async () => {
    const stand = await standInGateway([], 0);
    relay = await startModelRelay({ controlPlaneUrl: stand.url, token: () => "t".repeat(30) });
    const env = applyModelRelay(
      {
        PATH: "/usr/bin",
        ANTHROPIC_API_KEY: "sk-ant-real-key-that-must-not-reach-the-agent",
        ANTHROPIC_AUTH_TOKEN: "real-auth-token",
        OPENAI_API_KEY: "sk-real-openai",
        GOOGLE_API_KEY: "real-google",
        HTTPS_PROXY: "http://127.0.0.1:3128",
        NO_PROXY: "",
      },
      relay,
    );
    expect(env.ANTHROPIC_BASE_URL).toBe(`http://127.0.0.1:${relay.port}/anthropic`);
    expect(env.OPENAI_BASE_URL).toBe(`http://127.0.0.1:${relay.port}/openai/v1`);
    expect(env.GOOGLE_GEMINI_BASE_URL).toBe(`http://127.0.0.1:${relay.port}/gemini`);
    expect(env.ANTHROPIC_API_KEY).toBe(GATEWAY_PLACEHOLDER_KEY);
    expect(env.OPENAI_API_KEY).toBe(GATEWAY_PLACEHOLDER_KEY);
    expect(env.GEMINI_API_KEY).toBe(GATEWAY_PLACEHOLDER_KEY);
    expect(env.ANTHROPIC_AUTH_TOKEN).toBeUndefined();
    expect(env.GOOGLE_API_KEY).toBeUndefined();
    expect(JSON.stringify(env)).not.toMatch(/real/);
    expect(env.NO_PROXY).toBe("127.0.0.1,localhost");
    // An explicitly configured endpoint (direct mode) is left as it is.
    const direct = applyModelRelay(
      { ANTHROPIC_BASE_URL: "http://127.0.0.1:9", ANTHROPIC_API_KEY: "k-direct" },
      relay,
    );
    expect(direct.ANTHROPIC_BASE_URL).toBe("http://127.0.0.1:9");
    expect(direct.ANTHROPIC_API_KEY).toBe("k-direct");
  });
});
