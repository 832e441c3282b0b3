/**
 * POST /webhooks/in/:automationId through the real Worker: a signed delivery starts a session as
 * the automation's member; every bad input of the issue gets its answer (401 missing, invalid or
 * stale signature; 404 unknown or disabled with one body; 413; skipped; duplicate; 429 with
 * Retry-After), the limits hold, and the run history records each outcome newest first.
 */
import { env } from "cloudflare:workers";
import type { AutomationRunsPage, Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../testkit/src/wait-for";
import { enforceRateLimit } from "../src/rate-limit/limiter";
import {
  automationsPath,
  createAutomation,
  deliver,
  deliverSigned,
  expectJson,
  patchAutomation,
  sessionOnceCreated,
  standardHeaders,
  webhookBody,
} from "./automations-support";
import { api, browserHeaders, createTenant, joinTenant, postJson } from "./helpers";

const alert = (title: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ alert: { title }, ...extra });

async function runsOf(owner: Awaited<ReturnType<typeof createTenant>>, id: string, query = "") {
  return expectJson<AutomationRunsPage>(
    await api(automationsPath(owner, `/${id}/runs${query}`), {}, owner),
    200,
  );
}

describe("inbound automation webhooks", () => {
  it("a signed delivery starts a session as the automation's member, linked to it (202)", async () => {
    const owner = await createTenant("in-start");
    const { automation, secret } = await createAutomation(owner);
    const res = await deliverSigned(automation.id, secret ?? "", { body: alert("disk full") });
    const { sessionId, runId } = await expectJson<{ sessionId: string; runId: string }>(res, 202);
    const session = await sessionOnceCreated(owner, sessionId);
    expect(session).toMatchObject({
      trigger: "webhook",
      createdBy: owner.userId,
      automation: { id: automation.id, name: automation.name },
      title: "Triage alerts: Look into disk full",
    });
    const { runs } = await runsOf(owner, automation.id);
    expect(runs[0]).toMatchObject({ id: runId, outcome: "started", sessionId });
    expect(runs[0]?.sessionStatus).toBeDefined();
  });

  it("401 for a delivery with no signature, a wrong one, or one signed with another secret", async () => {
    const owner = await createTenant("in-401");
    const { automation, secret } = await createAutomation(owner);
    const body = alert("x");
    expect((await deliver(automation.id, body, { "content-type": "application/json" })).status).toBe(401);
    const headers = standardHeaders(secret ?? "", { body });
    const tampered = await deliver(automation.id, alert("y"), headers);
    expect(tampered.status).toBe(401);
    const forged = standardHeaders("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", { body });
    expect((await deliver(automation.id, body, forged)).status).toBe(401);
    expect((await runsOf(owner, automation.id)).runs).toEqual([]);
  });

  it("401 for a stale delivery: signed more than five minutes ago (a captured one replayed later)", async () => {
    const owner = await createTenant("in-stale");
    const { automation, secret } = await createAutomation(owner);
    const signedAt = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await deliverSigned(automation.id, secret ?? "", { body: alert("old"), signedAt });
    expect(res.status).toBe(401);
  });

  it("404 with one body for an unknown id, a malformed id, a disabled and a schedule automation (no oracle)", async () => {
    const owner = await createTenant("in-404");
    const { automation, secret } = await createAutomation(owner);
    const schedule = await createAutomation(
      owner,
      webhookBody({ trigger: { kind: "schedule", cron: "0 9 * * 1", timezone: "UTC" } }),
    );
    await patchAutomation(owner, automation.id, { enabled: false });
    const body = alert("x");
    const answers: string[] = [];
    for (const id of [automation.id, "01jzzzzzzzzzzzzzzzzzzzzzzz", "not-an-id", schedule.automation.id]) {
      const res = await deliverSigned(id, secret ?? "", { body });
      expect(res.status, id).toBe(404);
      const json = (await res.json()) as { error: { code: string; message: string } };
      answers.push(`${json.error.code} ${json.error.message}`);
    }
    expect(new Set(answers).size).toBe(1);
  });

  it("413 for a body over the cap, before any signature work", async () => {
    const owner = await createTenant("in-413");
    const { automation, secret } = await createAutomation(owner);
    const body = JSON.stringify({ alert: { title: "big" }, blob: "x".repeat(70_000) });
    const res = await deliverSigned(automation.id, secret ?? "", { body });
    expect(res.status).toBe(413);
  });

  it("200 skipped when the filter declines, and when the template renders empty", async () => {
    const owner = await createTenant("in-skip");
    const filtered = await createAutomation(owner, webhookBody({ filter: 'payload.level == "error"' }));
    const res = await deliverSigned(filtered.automation.id, filtered.secret ?? "", {
      body: alert("x", { level: "info" }),
    });
    expect(await expectJson(res, 200)).toMatchObject({ skipped: "the filter did not match the payload" });
    const empty = await createAutomation(owner, webhookBody({ promptTemplate: "{{payload.missing}}" }));
    const blank = await deliverSigned(empty.automation.id, empty.secret ?? "", { body: alert("x") });
    expect(await expectJson(blank, 200)).toMatchObject({ skipped: expect.stringMatching(/rendered empty/) });
    const { runs } = await runsOf(owner, empty.automation.id);
    expect(runs[0]).toMatchObject({ outcome: "skipped" });
  });

  it("a replayed delivery (same webhook-id) is 200 duplicate and starts nothing", async () => {
    const owner = await createTenant("in-dup");
    const { automation, secret } = await createAutomation(owner);
    const body = alert("once");
    const first = await deliverSigned(automation.id, secret ?? "", { body, id: "msg_replayed" });
    expect(first.status).toBe(202);
    const again = await deliverSigned(automation.id, secret ?? "", { body, id: "msg_replayed" });
    expect(await expectJson(again, 200)).toMatchObject({ duplicate: true });
    const { runs } = await runsOf(owner, automation.id);
    expect(runs.map((r) => r.outcome)).toEqual(["duplicate", "started"]);
  });

  it("dedupes on a configured payload key instead of the webhook-id", async () => {
    const owner = await createTenant("in-dedupe-key");
    const { automation, secret } = await createAutomation(
      owner,
      webhookBody({ dedupeKey: "payload.alert.id" }),
    );
    const body = JSON.stringify({ alert: { id: 42, title: "same alert" } });
    expect((await deliverSigned(automation.id, secret ?? "", { body })).status).toBe(202);
    const second = await deliverSigned(automation.id, secret ?? "", { body });
    expect(await expectJson(second, 200)).toMatchObject({ duplicate: true });
  });

  it("429 with Retry-After once maxRunsPerHour runs started this hour", async () => {
    const owner = await createTenant("in-hourly");
    const { automation, secret } = await createAutomation(
      owner,
      webhookBody({ limits: { maxRunsPerHour: 1, maxConcurrent: 50 } }),
    );
    expect((await deliverSigned(automation.id, secret ?? "", { body: alert("1") })).status).toBe(202);
    const limited = await deliverSigned(automation.id, secret ?? "", { body: alert("2") });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const { runs } = await runsOf(owner, automation.id);
    expect(runs[0]).toMatchObject({ outcome: "rate_limited" });
  });

  it("429 once maxConcurrent sessions of the automation have not ended; ended ones free the slot", async () => {
    const owner = await createTenant("in-concurrent");
    const { automation, secret } = await createAutomation(
      owner,
      webhookBody({ limits: { maxConcurrent: 1 } }),
    );
    const first = await expectJson<{ sessionId: string }>(
      await deliverSigned(automation.id, secret ?? "", { body: alert("1") }),
      202,
    );
    // Refused whether or not the first session exists yet: a run still creating its session counts.
    const limited = await deliverSigned(automation.id, secret ?? "", { body: alert("2") });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await sessionOnceCreated(owner, first.sessionId);
    // Through the session's object, which owns its status (a write to D1 beside it could be
    // overwritten by the object's own start-up, still running after the row appeared).
    const sessionPath = `/api/v1/tenants/${owner.tenantId}/sessions/${first.sessionId}`;
    expect((await api(`${sessionPath}/stop`, { method: "POST" }, owner)).status).toBe(202);
    await waitFor(
      async () => {
        const session = (await (await api(sessionPath, {}, owner)).json()) as Session;
        return session.status === "stopped" ? session : null;
      },
      "the first session to stop",
      10_000,
    );
    const third = await deliverSigned(automation.id, secret ?? "", { body: alert("3") });
    expect(third.status, await third.clone().text()).toBe(202);
  });

  it("429 with Retry-After over the tenant's webhook rate limit, after the signature check", async () => {
    const owner = await createTenant("in-tenant-rate");
    const { automation, secret } = await createAutomation(owner);
    // A forged delivery is refused for its signature before the limit is even looked at.
    const forged = await deliver(
      automation.id,
      alert("x"),
      standardHeaders("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    );
    expect(forged.status).toBe(401);
    // Use up the tenant's webhook budget as of a minute from now (burst 100 by default), so it stays
    // used up while the delivery below is made: a bounded loop.
    const later = Date.now() + 60_000;
    let exhausted = false;
    for (let i = 0; i < 500 && !exhausted; i++) {
      exhausted = await enforceRateLimit(
        env,
        owner.tenantId,
        { name: "webhookTenant", bucket: "tenant" },
        later,
      ).then(
        () => false,
        () => true,
      );
    }
    expect(exhausted).toBe(true);
    const limited = await deliverSigned(automation.id, secret ?? "", { body: alert("over") });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  });

  it("a run whose repository the payload names badly fails with the reason, recorded", async () => {
    const owner = await createTenant("in-fail");
    const { automation, secret } = await createAutomation(
      owner,
      webhookBody({ repo: { mode: "payload", path: "payload.repository.full_name" } }),
    );
    const res = await deliverSigned(automation.id, secret ?? "", {
      body: alert("x", { repository: { full_name: "no" } }),
    });
    expect(await expectJson(res, 200)).toMatchObject({ failed: expect.stringMatching(/owner\/name/) });
  });

  it("the run history pages newest first", async () => {
    const owner = await createTenant("in-history");
    const { automation, secret } = await createAutomation(
      owner,
      webhookBody({ filter: 'payload.level == "error"' }),
    );
    for (let i = 0; i < 5; i++)
      await deliverSigned(automation.id, secret ?? "", {
        body: alert(`n${i}`, { level: "info" }),
        id: `msg_h${i}`,
      });
    const first = await runsOf(owner, automation.id, "?limit=3");
    expect(first.runs.map((r) => r.triggerId)).toEqual(["msg_h4", "msg_h3", "msg_h2"]);
    const second = await runsOf(owner, automation.id, `?limit=3&cursor=${first.nextCursor}`);
    expect(second.runs.map((r) => r.triggerId)).toEqual(["msg_h1", "msg_h0"]);
    expect(second.nextCursor).toBeNull();
  });
});

describe("inbound webhooks with a trigger-scoped API key", () => {
  it("a key scoped to the automation starts it; a full key, another automation's key or none is 401", async () => {
    const owner = await createTenant("in-key");
    const { automation } = await createAutomation(owner);
    const other = await createAutomation(owner);
    const keyFor = async (scope?: string) => {
      const made = await postJson(
        `/api/v1/tenants/${owner.tenantId}/api-keys`,
        { name: "ci", ...(scope ? { scope } : {}) },
        {},
        await browserHeaders(owner.userId),
      );
      expect(made.status).toBe(201);
      return ((await made.json()) as { key: string }).key;
    };
    const scoped = await keyFor(`automations:trigger:${automation.id}`);
    const tenantWide = await keyFor("automations:trigger");
    const otherKey = await keyFor(`automations:trigger:${other.automation.id}`);
    const body = alert("from CI");
    const send = (key: string) =>
      deliver(automation.id, body, { "content-type": "application/json", authorization: `Bearer ${key}` });
    expect((await send(scoped)).status).toBe(202);
    expect((await send(tenantWide)).status).toBe(202);
    expect((await send(otherKey)).status).toBe(401);
    expect((await send(owner.apiKey)).status).toBe(401);
  });

  it("another tenant's trigger key, and a key whose creator is no longer an admin, are 401", async () => {
    const owner = await createTenant("in-key-limits");
    const admin = await joinTenant(owner, "admin");
    const stranger = await createTenant("in-key-stranger");
    const { automation } = await createAutomation(owner);
    const keyOf = async (who: { tenantId: string; userId: string }) => {
      const made = await postJson(
        `/api/v1/tenants/${who.tenantId}/api-keys`,
        { name: "ci", scope: "automations:trigger" },
        {},
        await browserHeaders(who.userId),
      );
      expect(made.status).toBe(201);
      return ((await made.json()) as { key: string }).key;
    };
    const send = (key: string) =>
      deliver(automation.id, alert("ci"), {
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
      });
    expect((await send(await keyOf(stranger))).status).toBe(401);
    const adminsKey = await keyOf(admin);
    expect((await send(adminsKey)).status).toBe(202);
    const demote = await api(
      `/api/v1/tenants/${owner.tenantId}/members/${admin.userId}`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ role: "member" }),
      },
      await browserHeaders(owner.userId),
    );
    expect(demote.status).toBe(200);
    expect((await send(adminsKey)).status).toBe(401);
  });
});
