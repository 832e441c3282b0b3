/**
 * What the gateway counts and caps: usage read from each provider's stream (and JSON bodies)
 * recorded against the session, budgets refused in the provider's own error shape before anything
 * goes out, and a session's usage visible to its tenant only. Real Worker, D1, DO, scripted model.
 */
import type { SessionModelUsage } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import {
  anthropicBody,
  anthropicCall,
  callGateway,
  gatewaySession,
  modelRequestsMarked,
} from "./gateway-client";
import { api, createTenant, joinTenant, waitFor } from "./helpers";
import type { Identity } from "./identities";

const post = (body: unknown, headers: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function usageOf(sessionId: string, as: Identity): Promise<SessionModelUsage> {
  const res = await api(`/api/v1/sessions/${sessionId}/usage`, {}, as);
  expect(res.status).toBe(200);
  return (await res.json()) as SessionModelUsage;
}

function waitForCalls(sessionId: string, as: Identity, calls: number) {
  return waitFor(`${calls} recorded gateway calls`, async () => {
    const usage = await usageOf(sessionId, as);
    return usage.calls >= calls ? usage : undefined;
  });
}

interface StreamEvent {
  type: string;
  message?: { usage: { input_tokens: number } };
  usage?: { output_tokens: number };
}

/** The usage the scripted model reported in an Anthropic SSE stream (message_start, last message_delta). */
function anthropicStreamUsage(sse: string) {
  const events = sse
    .split("\n")
    .filter((l) => l.startsWith("data:"))
    .map((l) => JSON.parse(l.slice(5)) as StreamEvent);
  const start = events.find((e) => e.type === "message_start")?.message?.usage;
  const delta = events.filter((e) => e.type === "message_delta").at(-1)?.usage;
  if (!start || !delta) throw new Error("the stream reported no usage");
  return { input: start.input_tokens, output: delta.output_tokens };
}

async function putBudget(owner: Identity, budget: Record<string, number>) {
  const res = await api(
    `/api/v1/tenants/${owner.tenantId}/settings/budget`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(budget) },
    owner,
  );
  expect(res.status).toBe(200);
}

describe("model gateway: usage", () => {
  it("records the tokens the model reported in its stream, per provider and model", async () => {
    const { owner, session, token } = await gatewaySession("gw-usage");
    const res = await anthropicCall(token, anthropicBody("usage-stream"));
    const reported = anthropicStreamUsage(await res.text());
    const usage = await waitForCalls(session.id, owner, 1);
    expect(usage.byModel).toEqual([
      expect.objectContaining({
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        calls: 1,
        inputTokens: reported.input,
        outputTokens: reported.output,
      }),
    ]);
    expect(reported.input).toBeGreaterThan(0);
    expect(usage.costUsd).toBeCloseTo((reported.input * 3 + reported.output * 15) / 1_000_000, 10);
  });

  it("reads OpenAI Chat (asking for stream usage), OpenAI Responses and Gemini usage, and JSON bodies", async () => {
    const { owner, session, token } = await gatewaySession("gw-usage-multi");
    const bearer = { authorization: `Bearer ${token}` };
    const chat = await callGateway(
      "/openai/v1/chat/completions",
      post({ model: "gpt-5", stream: true, messages: [{ role: "user", content: "multi-chat" }] }, bearer),
    );
    const chatText = await chat.text();
    expect(chatText).toContain('"usage"');
    const [chatSeen] = await modelRequestsMarked("multi-chat");
    expect(chatSeen?.body).toMatchObject({ stream_options: { include_usage: true } });
    await (
      await callGateway(
        "/openai/v1/responses",
        post({ model: "gpt-5-mini", stream: true, input: "multi-responses" }, bearer),
      )
    ).text();
    await (
      await callGateway(
        "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        post(
          { contents: [{ role: "user", parts: [{ text: "multi-gemini" }] }] },
          { "x-goog-api-key": token },
        ),
      )
    ).text();
    await (await anthropicCall(token, anthropicBody("multi-json", false))).text();
    const usage = await waitForCalls(session.id, owner, 4);
    const models = usage.byModel.map((m) => `${m.provider}/${m.model}`).sort();
    expect(models).toEqual([
      "anthropic/claude-sonnet-4-5",
      "gemini/gemini-2.5-flash",
      "openai/gpt-5",
      "openai/gpt-5-mini",
    ]);
    for (const row of usage.byModel) {
      expect(row.inputTokens).toBeGreaterThan(0);
      expect(row.outputTokens).toBeGreaterThan(0);
    }
  });

  it("another tenant cannot read a session's usage, and members cannot read the gateway settings", async () => {
    const { owner, session, token } = await gatewaySession("gw-usage-foreign");
    await (await anthropicCall(token, anthropicBody("foreign", false))).text();
    await waitForCalls(session.id, owner, 1);
    const stranger = await createTenant("gw-stranger");
    const res = await api(`/api/v1/sessions/${session.id}/usage`, {}, stranger);
    expect(res.status).toBe(404);
    const viaPath = await api(
      `/api/v1/tenants/${stranger.tenantId}/sessions/${session.id}/usage`,
      {},
      stranger,
    );
    expect(viaPath.status).toBe(404);
    const member = await joinTenant(owner, "member");
    expect((await usageOf(session.id, member)).calls).toBe(1);
    const settings = await api(`/api/v1/tenants/${owner.tenantId}/settings/model`, {}, member);
    expect(settings.status).toBe(403);
    const budget = await api(`/api/v1/tenants/${owner.tenantId}/settings/budget`, {}, member);
    expect(budget.status).toBe(403);
  });
});

describe("model gateway: budgets", () => {
  it("a session over its budget is refused with 402 in each provider's error shape; nothing goes out", async () => {
    const { owner, session, token } = await gatewaySession("gw-budget");
    await (await anthropicCall(token, anthropicBody("budget-first", false))).text();
    await waitForCalls(session.id, owner, 1);
    await putBudget(owner, { sessionUsd: 0.000001 });

    const anthropic = await anthropicCall(token, anthropicBody("budget-over"));
    expect(anthropic.status).toBe(402);
    expect(anthropic.headers.get("x-should-retry")).toBe("false");
    expect(await anthropic.json()).toEqual({
      type: "error",
      error: {
        type: "billing_error",
        message: expect.stringMatching(/session has spent \$0\.00 of its \$0\.00/),
      },
    });
    const openai = await callGateway(
      "/openai/v1/chat/completions",
      post(
        { model: "gpt-5", messages: [{ role: "user", content: "budget-over" }] },
        { authorization: `Bearer ${token}` },
      ),
    );
    expect(openai.status).toBe(402);
    expect(await openai.json()).toMatchObject({
      error: { code: "budget_exhausted", message: expect.any(String) },
    });
    const gemini = await callGateway(
      "/gemini/v1beta/models/gemini-2.5-pro:generateContent",
      post({ contents: [{ role: "user", parts: [{ text: "budget-over" }] }] }, { "x-goog-api-key": token }),
    );
    expect(gemini.status).toBe(402);
    expect(await gemini.json()).toMatchObject({ error: { code: 402, status: "FAILED_PRECONDITION" } });
    expect(await modelRequestsMarked("budget-over")).toHaveLength(0);
  });

  it("the tenant's monthly cap stops every session of the tenant, and raising it lets calls through", async () => {
    const first = await gatewaySession("gw-monthly");
    await (await anthropicCall(first.token, anthropicBody("monthly-1", false))).text();
    await waitForCalls(first.session.id, first.owner, 1);
    await putBudget(first.owner, { monthlyUsd: 0 });
    const refused = await anthropicCall(first.token, anthropicBody("monthly-over", false));
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /monthly model budget/,
    );
    await putBudget(first.owner, { monthlyUsd: 100 });
    const allowed = await anthropicCall(first.token, anthropicBody("monthly-after", false));
    expect(allowed.status).toBe(200);
    await allowed.text();
  });

  it("budget settings are validated and read back", async () => {
    const owner = await createTenant("gw-budget-api");
    const bad = await api(
      `/api/v1/tenants/${owner.tenantId}/settings/budget`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sessionUsd: -1 }),
      },
      owner,
    );
    expect(bad.status).toBe(400);
    const badUrl = await api(
      `/api/v1/tenants/${owner.tenantId}/settings/model`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ baseUrls: { anthropic: "https://user:pw@proxy.example/" } }),
      },
      owner,
    );
    expect(badUrl.status).toBe(400);
    await putBudget(owner, { sessionUsd: 5, monthlyUsd: 200 });
    const read = await api(`/api/v1/tenants/${owner.tenantId}/settings/budget`, {}, owner);
    expect(await read.json()).toEqual({ sessionUsd: 5, monthlyUsd: 200 });
  });
});
