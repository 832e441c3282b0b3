/**
 * The analytics report and its CSV, over real D1 rows: session rows as createSession writes them (statuses
 * and pull requests as the session DO syncs them to the D1 index), usage recorded as the gateway
 * records it and rolled up as the session DO does. Members read it; a tenant sees only its own.
 */
import { env } from "cloudflare:workers";
import type { AnalyticsReport, Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { insertSession, updateSession } from "../src/db/repositories/sessions";
import { rollUpSessionUsage } from "../src/db/repositories/usage-rollups";
import type { Bindings } from "../src/env";
import { newSessionId } from "../src/services/sessions";
import { api, createTenant, type Identity, joinTenant } from "./helpers";

const db = () => openDatabase((env as unknown as Bindings).DB);
const today = () => new Date().toISOString().slice(0, 10);

/**
 * A session row as createSession writes it, with the status the session DO would have synced: no
 * DO runs behind it, so nothing overwrites the status the test sets.
 */
async function started(
  as: Identity,
  status: "idle" | "failed" | "running" = "running",
  prUrl?: string,
): Promise<Session> {
  const id = newSessionId();
  const session = await insertSession(db(), as.tenantId, {
    id,
    title: "Add a README",
    repo: { kind: "local", path: "demo" },
    agent: "claude-code",
    model: null,
    status,
    trigger: "api",
    createdBy: as.userId,
    branch: `nightshift/add-a-readme-${id.slice(-8)}`,
    createdAt: new Date().toISOString(),
  });
  if (prUrl) await updateSession(db(), as.tenantId, id, { prUrl }, new Date().toISOString());
  return session;
}

/** How far each session's calls are rolled up: the cursor the session DO would keep. */
const flushedSeq = new Map<string, number>();

/** One gateway call's usage, rolled up as the session DO does after a turn (its pending calls, summed). */
async function used(session: Session, model: string, costUsd: number, tokens: number): Promise<void> {
  const fromSeq = flushedSeq.get(session.id) ?? 0;
  const call = { day: today(), userId: session.createdBy, provider: "anthropic", model, calls: 1 };
  const sums = { inputTokens: tokens, outputTokens: 10, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd };
  const cursor = await rollUpSessionUsage(
    db(),
    session.tenantId,
    { sessionId: session.id, repo: "local:demo", agent: session.agent },
    { fromSeq, toSeq: fromSeq + 1, groups: [{ ...call, ...sums }] },
  );
  expect(cursor).toBe(fromSeq + 1);
  flushedSeq.set(session.id, cursor);
}

async function report(as: Identity, query: string, tenantId = as.tenantId): Promise<AnalyticsReport> {
  const res = await api(`/api/v1/tenants/${tenantId}/analytics${query}`, {}, as);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as AnalyticsReport;
}

/** A tenant with three sessions: two by the owner (one failed, one with a PR), one by a member. */
async function seeded(label: string) {
  const owner = await createTenant(label);
  const member = await joinTenant(owner, "member");
  const a = await started(owner, "idle", "https://github.com/acme/widgets/pull/7");
  const b = await started(owner, "failed");
  const c = await started(member);
  await used(a, "claude-sonnet-4-5", 0.5, 1000);
  await used(a, "claude-haiku-4-5", 0.25, 500);
  await used(c, "claude-sonnet-4-5", 1, 2000);
  return { owner, member, sessions: [a, b, c] };
}

describe("analytics", () => {
  it("reports sessions, success, PRs and usage per user, with every day of the range (members read)", async () => {
    const { owner, member } = await seeded("analytics-user");
    const r = await report(member, `?groupBy=user&to=${today()}`, owner.tenantId);
    expect(r.days).toHaveLength(30);
    expect(r.days.at(-1)).toMatchObject({
      day: today(),
      sessions: 3,
      succeeded: 1,
      failed: 1,
      costUsd: 1.75,
    });
    expect(r.totals).toMatchObject({
      sessions: 3,
      succeeded: 1,
      failed: 1,
      successRate: 0.5,
      prsOpened: 1,
      prsMerged: 0,
      calls: 3,
      inputTokens: 3500,
      outputTokens: 30,
      costUsd: 1.75,
    });
    expect(r.groups.map((g) => [g.key, g.label, g.sessions, g.calls, g.costUsd])).toEqual([
      [member.userId, expect.any(String), 1, 1, 1],
      [owner.userId, expect.any(String), 2, 2, 0.75],
    ]);
    expect(r.groups[0]?.label).not.toBe(member.userId);
  });

  it("groups by repository, agent and model", async () => {
    const { owner } = await seeded("analytics-groups");
    expect((await report(owner, "?groupBy=repo")).groups.map((g) => [g.key, g.sessions])).toEqual([
      ["local:demo", 3],
    ]);
    const byAgent = await report(owner, "?groupBy=agent");
    expect(byAgent.groups.map((g) => g.sessions)).toEqual([3]);
    const byModel = await report(owner, "?groupBy=model");
    expect(byModel.groups.filter((g) => g.calls > 0).map((g) => [g.key, g.calls, g.costUsd])).toEqual([
      ["claude-sonnet-4-5", 2, 1.5],
      ["claude-haiku-4-5", 1, 0.25],
    ]);
  });

  it("exports the report as CSV, one row per group and a total", async () => {
    const { owner } = await seeded("analytics-csv");
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/analytics.csv?groupBy=repo&to=${today()}`,
      {},
      owner,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="nightshift-analytics-repo-.*\.csv"$/,
    );
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "from,to,repo,label,sessions,succeeded,failed,success_rate,prs_opened,prs_merged,model_calls,input_tokens,output_tokens,cache_read_tokens,cache_creation_tokens,cost_usd",
    );
    expect(lines[1]).toMatch(/,local:demo,local:demo,3,1,1,0\.5000,1,0,3,3500,30,0,0,1\.750000$/);
    expect(lines[2]).toMatch(/,\(total\),,3,1,1,0\.5000,1,0,3,3500,30,0,0,1\.750000$/);
  });

  it("refuses a backwards, too long or impossible range and an unknown grouping with 400", async () => {
    const owner = await createTenant("analytics-range");
    for (const q of [
      "?from=2026-03-02&to=2026-03-01",
      "?from=2024-01-01&to=2026-01-01",
      "?from=2026-02-30",
      "?groupBy=password",
      "?groupBy=user&extra=1",
    ]) {
      const res = await api(`/api/v1/tenants/${owner.tenantId}/analytics${q}`, {}, owner);
      expect(res.status, q).toBe(400);
    }
  });

  it("shows a tenant only its own sessions and usage (cross-tenant analytics attack)", async () => {
    await seeded("analytics-victim");
    const other = await createTenant("analytics-other");
    const r = await report(other, "");
    expect(r.totals).toMatchObject({ sessions: 0, calls: 0, costUsd: 0, prsOpened: 0 });
    expect(r.groups).toEqual([]);
  });
});
