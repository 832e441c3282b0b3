/**
 * The tenant's monthly budget: over the hard budget a new session is refused at create with 402
 * and the figures (spent, budget, period), before anything is written; past the soft warning the
 * budget status says "warning" (the dashboard's banner) and the new session's timeline opens with
 * a notice. Real Worker, D1 (real migrations), session DOs and the tenant's meter DO; spend is
 * recorded as the gateway records it (recordModelCall).
 */
import { env } from "cloudflare:workers";
import type { ListSessionsResponse, Session, TenantBudgetStatus } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { recordModelCall } from "../src/budgets/usage-meters";
import type { Bindings } from "../src/env";
import { api, createTenant, type Identity, joinTenant, postJson, sessionStub, unwrapRpc } from "./helpers";

const NEW_SESSION = { repo: { kind: "local", path: "demo" }, prompt: "Add a README" };

async function startSession(owner: Identity, path = "/api/v1/sessions"): Promise<Response> {
  return postJson(path, NEW_SESSION, {}, owner);
}

async function started(owner: Identity): Promise<Session> {
  const res = await startSession(owner);
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

/** Spend as the gateway records it: one call in the session's DO and the tenant's meter, this month. */
async function spend(session: Session, costUsd: number): Promise<void> {
  await recordModelCall(env as unknown as Bindings, session.tenantId, session.id, {
    userId: session.createdBy,
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    status: 200,
    inputTokens: 1000,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costUsd,
    accountSource: "deployment",
    at: new Date().toISOString(),
  });
}

async function putBudget(owner: Identity, budget: Record<string, number>): Promise<void> {
  const res = await api(
    `/api/v1/tenants/${owner.tenantId}/settings/budget`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(budget) },
    owner,
  );
  expect(res.status).toBe(200);
}

async function budgetStatus(as: Identity, tenantId = as.tenantId): Promise<TenantBudgetStatus> {
  const res = await api(`/api/v1/tenants/${tenantId}/budget`, {}, as);
  expect(res.status).toBe(200);
  return (await res.json()) as TenantBudgetStatus;
}

async function sessionCount(owner: Identity): Promise<number> {
  const res = await api("/api/v1/sessions?limit=100", {}, owner);
  return ((await res.json()) as ListSessionsResponse).sessions.length;
}

const period = () => new Date().toISOString().slice(0, 7);

describe("tenant monthly budget: the hard stop at session create", () => {
  it("refuses a new session with 402 and the figures once the tenant is over its budget (over-budget session start attack)", async () => {
    const owner = await createTenant("budget-hard-stop");
    const first = await started(owner);
    await spend(first, 12.5);
    await putBudget(owner, { monthlyUsd: 10 });
    const before = await sessionCount(owner);

    for (const path of ["/api/v1/sessions", `/api/v1/tenants/${owner.tenantId}/sessions`]) {
      const refused = await startSession(owner, path);
      expect(refused.status, path).toBe(402);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("budget_exhausted");
      expect(body.error.message).toContain("$12.50 spent of $10.00");
      expect(body.error.message).toContain(`for ${period()} (UTC)`);
    }
    // Refused before anything was written: no session row, nothing started.
    expect(await sessionCount(owner)).toBe(before);
    expect(await budgetStatus(owner)).toMatchObject({ state: "exhausted", spentUsd: 12.5, monthlyUsd: 10 });
  });

  it("refuses at exactly the budget, and starts sessions again once an admin raises it", async () => {
    const owner = await createTenant("budget-raise");
    const first = await started(owner);
    await spend(first, 5);
    await putBudget(owner, { monthlyUsd: 5 });
    expect((await startSession(owner)).status).toBe(402);
    await putBudget(owner, { monthlyUsd: 50 });
    expect((await startSession(owner)).status).toBe(201);
  });

  it("counts only this tenant's spend: another tenant's spending never stops this one (cross-tenant budget attack)", async () => {
    const spender = await createTenant("budget-spender");
    await spend(await started(spender), 100);
    const frugal = await createTenant("budget-frugal");
    await putBudget(frugal, { monthlyUsd: 1 });
    expect(await budgetStatus(frugal)).toMatchObject({ spentUsd: 0, state: "ok" });
    expect((await startSession(frugal)).status).toBe(201);
  });
});

describe("tenant monthly budget: the soft warning", () => {
  it("says warning past the threshold, to members too, and opens the new session's timeline with a notice", async () => {
    const owner = await createTenant("budget-warning");
    await spend(await started(owner), 8.5);
    await putBudget(owner, { monthlyUsd: 10, monthlyWarnPercent: 80 });
    const member = await joinTenant(owner, "member");
    const status = await budgetStatus(member, owner.tenantId);
    expect(status).toEqual({
      period: period(),
      spentUsd: 8.5,
      monthlyUsd: 10,
      warnAtPercent: 80,
      percentUsed: 85,
      state: "warning",
    });

    const session = await started(owner);
    const page = unwrapRpc<{ events: { event: { type: string; text?: string } }[] }>(
      await sessionStub(session.id).readEvents(owner.tenantId, 0, 50),
    );
    const notice = page.events.find((e) => e.event.type === "log")?.event.text ?? "";
    expect(notice).toContain("Budget warning: this tenant has spent $8.50 of its $10.00 monthly budget");
    expect(notice).toContain("85%");
  });

  it("says ok below the threshold and without a budget, with no notice on new sessions", async () => {
    const owner = await createTenant("budget-ok");
    await spend(await started(owner), 2);
    expect(await budgetStatus(owner)).toMatchObject({ monthlyUsd: null, state: "ok", percentUsed: null });
    await putBudget(owner, { monthlyUsd: 10 });
    expect(await budgetStatus(owner)).toMatchObject({ state: "ok", percentUsed: 20, warnAtPercent: 80 });
    const session = await started(owner);
    const page = unwrapRpc<{ events: { event: { type: string } }[] }>(
      await sessionStub(session.id).readEvents(owner.tenantId, 0, 50),
    );
    expect(page.events.some((e) => e.event.type === "log")).toBe(false);
  });
});
