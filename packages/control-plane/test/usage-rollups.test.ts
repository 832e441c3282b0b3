/**
 * Usage roll-ups: a session's gateway usage (one row per model call in its DO) is added to
 * usage_daily per tenant, day, user, repository, agent and model when a turn ends and when the
 * session ends — one D1 batch per flush, each row counted once. Real Worker, D1, session DO,
 * bridge and scripted model.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { SessionAgent } from "../src/session/agent";
import { deadlineOf, runDeadlineNow, waitForStatus } from "./capacity";
import { anthropicBody, anthropicCall, type GatewaySession, gatewaySession } from "./gateway-client";
import { api, type Identity, sessionStub, waitFor } from "./helpers";
import { SandboxClient } from "./sandbox-client";

interface Totals {
  calls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  cost: number;
}

/** Dollars to the nano-dollar: summing the same costs in another order differs in the last bits. */
const SUMS = `sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cache_read_tokens) AS cacheRead,
  sum(cache_creation_tokens) AS cacheCreation, round(sum(cost_usd), 9) AS cost`;

/** The session's usage records as the gateway reported them to its DO, summed per day and model. */
async function usageRecords(session: Session) {
  return runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) =>
    state.storage.sql
      .exec(
        `SELECT substr(at, 1, 10) AS day, user_id AS userId, provider, model, count(*) AS calls, ${SUMS}
         FROM model_calls GROUP BY day, user_id, provider, model ORDER BY model`,
      )
      .toArray(),
  );
}

/** The tenant's roll-up rows. */
async function rollups(tenantId: string) {
  const { results } = await env.DB.prepare(
    `SELECT day, user_id AS userId, repo, agent, provider, model, calls, ${SUMS}
     FROM usage_daily WHERE tenant_id = ? GROUP BY day, user_id, repo, agent, provider, model ORDER BY model`,
  )
    .bind(tenantId)
    .all();
  return results;
}

async function callCount(session: Session, owner: Identity): Promise<number> {
  const res = await api(`/api/v1/sessions/${session.id}/usage`, {}, owner);
  return ((await res.json()) as { calls: number }).calls;
}

/** `n` model calls through the gateway, each waited for until its usage row is written. */
async function modelCalls(gw: GatewaySession, n: number, model = "claude-sonnet-4-5"): Promise<void> {
  const before = await callCount(gw.session, gw.owner);
  for (let i = 0; i < n; i++) {
    const res = await anthropicCall(gw.token, { ...anthropicBody(`rollup-${i}`, i % 2 === 0), model });
    expect(res.status).toBe(200);
    await res.text();
  }
  await waitFor(`${n} usage records`, async () => (await callCount(gw.session, gw.owner)) >= before + n);
}

/** The sandbox side of one turn: it takes the prompt and reports the turn's end. */
async function runTurn(client: SandboxClient, seq: number, promptIndex: number): Promise<void> {
  const prompt = await client.waitFor(
    "prompt",
    () => client.frames.filter((f) => f.type === "prompt").length > promptIndex,
  );
  client.sendEvents([{ seq, event: { type: "turn.end", promptId: prompt.promptId, status: "completed" } }]);
}

describe("usage roll-ups", () => {
  it("match the sum of the session's usage records once its turn ends, per day, user, repository, agent and model", async () => {
    const gw = await gatewaySession("rollup-turn");
    const client = await SandboxClient.connect(gw.token);
    client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    client.send({ v: 1, type: "ready" });
    await modelCalls(gw, 3);
    await modelCalls(gw, 1, "claude-haiku-4-5");
    await runTurn(client, 1, 0);
    await waitForStatus(gw.session, "idle");
    // The flush waits for the turn's last usage writes, then runs on the alarm.
    expect(await deadlineOf(gw.session, "usage.rollup")).toBeGreaterThan(Date.now());
    expect(await rollups(gw.owner.tenantId)).toEqual([]);
    await runDeadlineNow(gw.session, "usage.rollup");

    const records = await usageRecords(gw.session);
    expect(records.map((r) => r.calls)).toEqual([1, 3]);
    expect(await rollups(gw.owner.tenantId)).toEqual(
      records.map((r) => ({ ...r, repo: "local:demo", agent: gw.session.agent })),
    );
    client.close();
  });

  it("count each usage record once across flushes: later calls and stragglers are added, a flush with nothing new changes nothing", async () => {
    const gw = await gatewaySession("rollup-twice");
    await modelCalls(gw, 2);
    await flushNow(gw.session);
    expect(((await rollups(gw.owner.tenantId)) as unknown as Totals[]).map((r) => r.calls)).toEqual([2]);

    await modelCalls(gw, 1);
    // A straggler: a call the gateway reported after the flush, stamped with an earlier time.
    await runInDurableObject(sessionStub(gw.session.id), (_a: SessionAgent, state) => {
      state.storage.sql.exec(
        `INSERT INTO model_calls (user_id, provider, model, status, input_tokens, output_tokens,
          cache_read_tokens, cache_creation_tokens, cost_usd, account_source, at)
         SELECT user_id, provider, model, 200, 7, 5, 0, 0, 0.25, 'deployment', at
         FROM model_calls ORDER BY at LIMIT 1`,
      );
    });
    for (let flush = 0; flush < 3; flush++) await flushNow(gw.session);
    const records = await usageRecords(gw.session);
    expect(records.map((r) => r.calls)).toEqual([4]);
    expect(await rollups(gw.owner.tenantId)).toEqual(
      records.map((r) => ({ ...r, repo: "local:demo", agent: gw.session.agent })),
    );
  });

  it("are flushed when the session ends, even mid-turn", async () => {
    const gw = await gatewaySession("rollup-stop");
    await modelCalls(gw, 2);
    const stop = await api(`/api/v1/sessions/${gw.session.id}/stop`, { method: "POST" }, gw.owner);
    expect(stop.status).toBe(202);
    await waitFor("the roll-up deadline", () => deadlineOf(gw.session, "usage.rollup"));
    await runDeadlineNow(gw.session, "usage.rollup");
    expect(((await rollups(gw.owner.tenantId)) as unknown as Totals[]).map((r) => r.calls)).toEqual([2]);
  });

  it("keep tenants apart: each tenant's roll-up holds only its own sessions' usage", async () => {
    const a = await gatewaySession("rollup-tenant-a");
    const b = await gatewaySession("rollup-tenant-b");
    await modelCalls(a, 2);
    await modelCalls(b, 1);
    await flushNow(a.session);
    await flushNow(b.session);
    expect(((await rollups(a.owner.tenantId)) as unknown as Totals[]).map((r) => r.calls)).toEqual([2]);
    expect(((await rollups(b.owner.tenantId)) as unknown as Totals[]).map((r) => r.calls)).toEqual([1]);
  });
});

/** Schedules the session's roll-up flush and runs it now (as the alarm would, 10 s after a turn). */
async function flushNow(session: Session): Promise<void> {
  await runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) => {
    state.storage.sql.exec(
      "INSERT INTO deadlines (name, at, attempts) VALUES ('usage.rollup', ?, 0) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
      Date.now() - 1,
    );
  });
  await runDurableObjectAlarm(sessionStub(session.id));
}
