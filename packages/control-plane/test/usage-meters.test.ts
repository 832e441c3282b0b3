/**
 * Model spend kept out of D1's per-call rows: each call in its session's DO and in its tenant's
 * meter DO. A roll-up flush retried after D1 took it counts nothing twice; a call long after the
 * session ended is still rolled up; a DO refuses a call naming another tenant; the month's meter
 * starts from the spend already rolled up. Real Worker, D1 (real migrations), DOs and gateway.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Session, SessionModelUsage } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { monthOf, monthSpendUsd, recordModelCall } from "../src/budgets/usage-meters";
import type { Bindings } from "../src/env";
import type { SessionAgent } from "../src/session/agent";
import type { ModelCall } from "../src/session/model-calls";
import { deadlineOf, runDeadlineNow, waitForStatus } from "./capacity";
import { anthropicBody, anthropicCall, type GatewaySession, gatewaySession } from "./gateway-client";
import { api, createTenant, sessionStub, waitFor } from "./helpers";

const bindings = env as unknown as Bindings;

function call(session: Session, costUsd: number, at = new Date()): ModelCall {
  return {
    userId: session.createdBy,
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    status: 200,
    inputTokens: 100,
    outputTokens: 10,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costUsd,
    accountSource: "deployment",
    at: at.toISOString(),
  };
}

async function usageView(gw: GatewaySession): Promise<SessionModelUsage> {
  const res = await api(`/api/v1/sessions/${gw.session.id}/usage`, {}, gw.owner);
  expect(res.status).toBe(200);
  return (await res.json()) as SessionModelUsage;
}

/** `n` model calls through the gateway, each waited for until the session's DO holds it. */
async function gatewayCalls(gw: GatewaySession, n: number): Promise<void> {
  const before = (await usageView(gw)).calls;
  for (let i = 0; i < n; i++) {
    const res = await anthropicCall(gw.token, anthropicBody(`meter-${i}`, false));
    expect(res.status).toBe(200);
    await res.text();
  }
  await waitFor(`${n} recorded calls`, async () => (await usageView(gw)).calls >= before + n);
}

/** The tenant's roll-ups summed: calls and dollars (to the nano-dollar). */
async function rolledUp(tenantId: string): Promise<{ calls: number; cost: number }> {
  const row = await bindings.DB.prepare(
    "SELECT coalesce(sum(calls), 0) AS calls, round(coalesce(sum(cost_usd), 0), 9) AS cost FROM usage_daily WHERE tenant_id = ?",
  )
    .bind(tenantId)
    .first<{ calls: number; cost: number }>();
  return { calls: Number(row?.calls), cost: Number(row?.cost) };
}

/** Arms the session's roll-up flush and runs it now, as the alarm would. */
async function flushNow(session: Session): Promise<void> {
  await runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) => {
    state.storage.sql.exec(
      "INSERT INTO deadlines (name, at, attempts) VALUES ('usage.rollup', ?, 0) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
      Date.now() - 1,
    );
  });
  await runDurableObjectAlarm(sessionStub(session.id));
}

describe("usage meters: the roll-up counts each call once", () => {
  it("a flush retried after D1 committed it but its answer was lost adds nothing twice (double-counted retry attack)", async () => {
    const gw = await gatewaySession("meter-retry");
    await gatewayCalls(gw, 2);
    await flushNow(gw.session);
    expect((await rolledUp(gw.owner.tenantId)).calls).toBe(2);

    // The DO never heard that the batch committed: its cursor still says nothing was flushed.
    await runInDurableObject(sessionStub(gw.session.id), (_a: SessionAgent, state) => {
      state.storage.sql.exec("UPDATE model_calls_flushed SET seq = 0");
    });
    await gatewayCalls(gw, 1);
    await flushNow(gw.session);
    await flushNow(gw.session);

    const view = await usageView(gw);
    expect(view.calls).toBe(3);
    expect(await rolledUp(gw.owner.tenantId)).toEqual({ calls: 3, cost: Number(view.costUsd.toFixed(9)) });
  });

  it("rolls up a call made long after the session ended (late usage lost attack)", async () => {
    const gw = await gatewaySession("meter-late");
    await gatewayCalls(gw, 1);
    const stop = await api(`/api/v1/sessions/${gw.session.id}/stop`, { method: "POST" }, gw.owner);
    expect(stop.status).toBe(202);
    await waitForStatus(gw.session, "stopped");
    await runDeadlineNow(gw.session, "usage.rollup");
    expect((await rolledUp(gw.owner.tenantId)).calls).toBe(1);
    expect(await deadlineOf(gw.session, "usage.rollup")).toBeNull();

    // A stream that ended well after the stop: the gateway reports it, and that arms a flush.
    await recordModelCall(bindings, gw.owner.tenantId, gw.session.id, call(gw.session, 0.5));
    expect(await deadlineOf(gw.session, "usage.rollup")).not.toBeNull();
    await runDeadlineNow(gw.session, "usage.rollup");
    const view = await usageView(gw);
    expect(view.calls).toBe(2);
    expect(await rolledUp(gw.owner.tenantId)).toEqual({ calls: 2, cost: Number(view.costUsd.toFixed(9)) });
  });
});

describe("usage meters: tenant isolation", () => {
  it("the session DO refuses a call or a usage read naming another tenant (foreign tenant usage attack)", async () => {
    const gw = await gatewaySession("meter-victim");
    const attacker = await createTenant("meter-attacker");
    const stub = sessionStub(gw.session.id);
    const refused = await stub.recordModelCall(attacker.tenantId, call(gw.session, 1000));
    expect(refused).toMatchObject({ ok: false, code: "session_not_found" });
    expect(await stub.modelUsage(attacker.tenantId)).toMatchObject({ ok: false, code: "session_not_found" });
    await expect(
      recordModelCall(bindings, attacker.tenantId, gw.session.id, call(gw.session, 1000)),
    ).rejects.toThrow();
    expect((await usageView(gw)).calls).toBe(0);
  });

  it("the tenant meter refuses another tenant's spend and reads (foreign tenant meter attack)", async () => {
    const victim = await createTenant("meter-owner");
    const attacker = await createTenant("meter-intruder");
    const month = monthOf(new Date());
    expect(await monthSpendUsd(bindings, victim.tenantId, month)).toBe(0);
    const meter = bindings.RATE_LIMITER.getByName(victim.tenantId);
    expect(await meter.addSpend({ tenantId: attacker.tenantId, month, usd: 500 })).toEqual({
      refused: "wrong_tenant",
    });
    expect(await meter.monthSpend(attacker.tenantId, month)).toEqual({ refused: "wrong_tenant" });
    expect(await monthSpendUsd(bindings, victim.tenantId, month)).toBe(0);
  });

  it("a call record that is not one is refused, and nothing is counted", async () => {
    const gw = await gatewaySession("meter-invalid");
    const bad = { ...call(gw.session, 1), costUsd: -5 };
    expect(await sessionStub(gw.session.id).recordModelCall(gw.owner.tenantId, bad)).toMatchObject({
      ok: false,
      code: "invalid_request",
    });
    expect((await usageView(gw)).calls).toBe(0);
  });
});

describe("usage meters: the month", () => {
  it("sums every session's calls of the month (UTC) and starts from the spend already rolled up", async () => {
    const owner = await createTenant("meter-month");
    const month = monthOf(new Date());
    // Spend rolled up before the meter kept the month (as across the deploy that moved it).
    await bindings.DB.prepare(
      `INSERT INTO usage_daily (tenant_id, day, user_id, repo, agent, provider, model, calls, cost_usd)
       VALUES (?, ?, ?, 'local:demo', 'claude-code', 'anthropic', 'claude-sonnet-4-5', 3, 2.5)`,
    )
      .bind(owner.tenantId, `${month}-01`, owner.userId)
      .run();
    const meter = bindings.RATE_LIMITER.getByName(owner.tenantId);
    expect(await meter.addSpend({ tenantId: owner.tenantId, month, usd: 1.25 })).toEqual({ usd: 3.75 });
    expect(await meter.addSpend({ tenantId: owner.tenantId, month, usd: 0.25 })).toEqual({ usd: 4 });
    expect(await monthSpendUsd(bindings, owner.tenantId, month)).toBe(4);
    // Another month is its own total.
    expect(await monthSpendUsd(bindings, owner.tenantId, "2020-01")).toBe(0);
  });
});
