/**
 * The model gateway (/sandbox/model/<provider>/...): a sandbox calls it with its sandbox token,
 * never holds a model key; the gateway injects the key, forwards to the scripted model and streams
 * the answer back unchanged. Real Worker, real DO, real D1, the testkit scripted model upstream.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import {
  anthropicBody,
  anthropicCall,
  callGateway,
  enqueueModelReplies,
  gatewaySession,
  modelRequestsMarked,
} from "./gateway-client";
import { api, postJson, waitFor } from "./helpers";
import { TEST_SANDBOX_SECRET } from "./sandbox-client";

const json = (body: unknown, headers: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** The scripted model numbers its ids per call (msg_scripted_7, req_scripted_8): equal up to those. */
const withoutCallIds = (text: string) => text.replace(/_scripted_\d+/g, "_scripted_N");

describe("model gateway: who may call", () => {
  it("a call without a sandbox token gets 401 in each provider's error shape", async () => {
    const anthropic = await anthropicCall(null, anthropicBody("no-token"));
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const openai = await callGateway(
      "/openai/v1/chat/completions",
      json({ model: "gpt-5", messages: [] }, {}),
    );
    expect(openai.status).toBe(401);
    expect(await openai.json()).toMatchObject({
      error: { code: "unauthorized", message: expect.any(String) },
    });
    const gemini = await callGateway("/gemini/v1beta/models/gemini-2.5-pro:generateContent", json({}, {}));
    expect(gemini.status).toBe(401);
    expect(await gemini.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
    expect(await modelRequestsMarked("no-token")).toHaveLength(0);
  });

  it("a forged or expired sandbox token gets 401 and nothing reaches the model", async () => {
    const { session } = await gatewaySession("gw-badtoken");
    const claims = {
      sessionId: session.id,
      tenantId: session.tenantId,
      jti: `inc-gw-badtoken-${session.id}`,
    };
    const forged = await mintSandboxToken("a-different-secret-of-enough-length-0123456789", claims, 600);
    const expired = await mintSandboxToken(TEST_SANDBOX_SECRET, claims, -5);
    for (const token of [forged, expired, "not-a-jwt"]) {
      const res = await anthropicCall(token, anthropicBody("bad-token"));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    }
    expect(await modelRequestsMarked("bad-token")).toHaveLength(0);
  });

  it("an ended session's token gets 410", async () => {
    const { owner, session, token } = await gatewaySession("gw-ended");
    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {}, {}, owner);
    expect(stop.status).toBeLessThan(300);
    await waitFor("the session to stop", async () => {
      const res = await api(`/api/v1/sessions/${session.id}`, {}, owner);
      return ((await res.json()) as Session).status === "stopped";
    });
    const res = await anthropicCall(token, anthropicBody("ended"));
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({
      type: "error",
      error: { message: expect.stringMatching(/stopped/) },
    });
    expect(await modelRequestsMarked("ended")).toHaveLength(0);
  });

  it("only model calls are forwarded: another endpoint of the provider gets 404 and never goes out", async () => {
    const { token } = await gatewaySession("gw-paths");
    const files = await callGateway(
      "/openai/v1/files",
      json({ purpose: "gw-paths" }, { authorization: `Bearer ${token}` }),
    );
    expect(files.status).toBe(404);
    expect(await files.json()).toMatchObject({ error: { code: "not_found" } });
    const batches = await callGateway(
      "/anthropic/v1/messages/batches",
      json({ requests: "gw-paths" }, { "x-api-key": token }),
    );
    expect(batches.status).toBe(404);
    const unknown = await callGateway(
      "/mistral/v1/chat/completions",
      json({}, { authorization: `Bearer ${token}` }),
    );
    expect(unknown.status).toBe(404);
    expect(await modelRequestsMarked("gw-paths")).toHaveLength(0);
  });
});

describe("model gateway: forwarding", () => {
  it("injects the deployment's key and never forwards the sandbox token", async () => {
    const { token } = await gatewaySession("gw-inject");
    const res = await anthropicCall(token, anthropicBody("inject-deploy", false), {
      authorization: `Bearer ${token}`,
      cookie: `session=${token}`,
      "anthropic-beta": "claude-code-20250219",
    });
    expect(res.status).toBe(200);
    await res.text();
    const [seen] = await modelRequestsMarked("inject-deploy");
    expect(seen?.path).toBe("/v1/messages");
    expect(seen?.headers["x-api-key"]).toBe("test-deployment-anthropic-key");
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers["anthropic-beta"]).toBe("claude-code-20250219");
    expect(JSON.stringify(seen)).not.toContain(token);
  });

  it("a tenant's model-key secret wins over the deployment's, and each provider gets it its own way", async () => {
    const { owner, token } = await gatewaySession("gw-tenantkey");
    for (const [name, value] of [
      ["ANTHROPIC_API_KEY", "tenant-anthropic-key-1"],
      ["OPENAI_API_KEY", "tenant-openai-key-1"],
      ["GEMINI_API_KEY", "tenant-gemini-key-1"],
    ]) {
      const put = await api(
        `/api/v1/tenants/${owner.tenantId}/secrets/${name}`,
        { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) },
        owner,
      );
      expect(put.status).toBeLessThan(300);
    }
    await (await anthropicCall(token, anthropicBody("tenantkey-a", false))).text();
    const chat = { model: "gpt-5", messages: [{ role: "user", content: "tenantkey-o" }] };
    await (
      await callGateway("/openai/v1/chat/completions", json(chat, { authorization: `Bearer ${token}` }))
    ).text();
    const gem = { contents: [{ role: "user", parts: [{ text: "tenantkey-g" }] }] };
    await (
      await callGateway(
        "/gemini/v1beta/models/gemini-2.5-pro:generateContent?key=leak",
        json(gem, { "x-goog-api-key": token }),
      )
    ).text();
    const [a] = await modelRequestsMarked("tenantkey-a");
    const [o] = await modelRequestsMarked("tenantkey-o");
    const [g] = await modelRequestsMarked("tenantkey-g");
    expect(a?.headers["x-api-key"]).toBe("tenant-anthropic-key-1");
    expect(o?.path).toBe("/v1/chat/completions");
    expect(o?.headers.authorization).toBe("Bearer tenant-openai-key-1");
    expect(g?.headers["x-goog-api-key"]).toBe("tenant-gemini-key-1");
    expect(g?.path).toBe("/v1beta/models/gemini-2.5-pro:generateContent");
    for (const seen of [a, o, g]) expect(JSON.stringify(seen)).not.toContain(token);
  });

  it("SSE passes through byte for byte, delta by delta (not buffered)", async () => {
    const { token } = await gatewaySession("gw-sse");
    const reply = { kind: "text", text: "one two three four five", chunks: 5, chunkDelayMs: 150 } as const;
    await enqueueModelReplies(reply);
    const started = Date.now();
    const res = await anthropicCall(token, anthropicBody("sse-through"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let firstDeltaAt: number | null = null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (firstDeltaAt === null && text.includes("text_delta")) firstDeltaAt = Date.now();
    }
    const endedAt = Date.now();
    // Five deltas 150 ms apart: a buffering gateway would hand the first one over only at the end.
    expect(firstDeltaAt).not.toBeNull();
    expect(endedAt - (firstDeltaAt as number)).toBeGreaterThan(400);
    expect(endedAt - started).toBeGreaterThan(600);

    // The same reply straight from the scripted model, for comparison.
    await enqueueModelReplies(reply);
    const model = (env as unknown as { ANTHROPIC_BASE_URL: string }).ANTHROPIC_BASE_URL;
    const direct = await fetch(
      `${model}/v1/messages`,
      json(anthropicBody("sse-through"), { "x-api-key": "k" }),
    );
    expect(withoutCallIds(text)).toBe(withoutCallIds(await direct.text()));
  });
});
