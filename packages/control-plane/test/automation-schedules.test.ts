/**
 * Automation schedules (issue 16 §3) in workerd: the AutomationSchedule Durable Object end to end
 * through the real API, D1 and alarms — a fire starts a session, a double fire dedupes, a late
 * alarm is skipped (catch-up: skip, not a burst), 3 failures in a row pause, pause/delete clear the
 * alarm, the DO checks the tenant — and the Worker's cron, which only re-arms lost alarms.
 * Cron parsing is in automation-schedule-cron.test.ts.
 */
import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import type {
  Automation,
  AutomationCreated,
  AutomationRun,
  AutomationRunsPage,
  Session,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { automationScheduleName } from "../src/automations/schedule/automation-schedule";
import { nextFireAfter } from "../src/automations/schedule/cron";
import { ALARM_LEAD_MS } from "../src/automations/schedule/policy";
import { openDatabase } from "../src/db/client";
import { setScheduleNextRunAt } from "../src/db/repositories/automation-schedules";
import worker from "../src/index";
import { api, createTenant, type Identity, joinTenant, postJson } from "./helpers";

const DEMO = { kind: "local", path: "demo" } as const;

function stubOf(automationId: string) {
  return env.AUTOMATION_SCHEDULE.getByName(automationScheduleName(automationId));
}

/** Where the alarm for a due time is: ALARM_LEAD_MS before it (the handler waits out the rest). */
const alarmFor = (dueMs: number) => dueMs - ALARM_LEAD_MS;

function alarmOf(automationId: string): Promise<number | null> {
  return runInDurableObject(stubOf(automationId), (_instance, state) => state.storage.getAlarm());
}

async function createSchedule(who: Identity, overrides: Record<string, unknown> = {}): Promise<Automation> {
  const res = await postJson(
    `/api/v1/tenants/${who.tenantId}/automations`,
    {
      name: "weekly dependency bump",
      trigger: { kind: "schedule", cron: "0 9 * * 1", timezone: "Europe/Berlin" },
      repo: { mode: "fixed", repo: DEMO },
      promptTemplate: "Bump the dependencies (due {{payload.scheduledFor}})",
      ...overrides,
    },
    {},
    who,
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as AutomationCreated).automation;
}

async function readAutomation(who: Identity, id: string): Promise<Automation> {
  const res = await api(`/api/v1/tenants/${who.tenantId}/automations/${id}`, {}, who);
  expect(res.status).toBe(200);
  return (await res.json()) as Automation;
}

async function runsOf(who: Identity, id: string): Promise<AutomationRun[]> {
  const res = await api(`/api/v1/tenants/${who.tenantId}/automations/${id}/runs`, {}, who);
  expect(res.status).toBe(200);
  return ((await res.json()) as AutomationRunsPage).runs;
}

/** Far enough ahead that workerd never runs it by itself: the test runs it (runDurableObjectAlarm). */
const HELD_ALARM_MS = 60 * 60_000;

/**
 * As if the schedule's time had come (or passed): D1's next fire time and the due time the DO
 * armed both say `dueAt`. The alarm itself is held back, for the test to run when it chooses.
 */
async function makeDue(who: Identity, id: string, dueAt: Date): Promise<number> {
  await setScheduleNextRunAt(openDatabase(env.DB), who.tenantId, id, dueAt.toISOString());
  const alarmAt = Date.now() + HELD_ALARM_MS;
  await runInDurableObject(stubOf(id), async (_instance, state) => {
    const armed = (await state.storage.get("armed")) as Record<string, string>;
    await state.storage.put("armed", { ...armed, dueAt: dueAt.toISOString() });
    await state.storage.setAlarm(alarmAt);
  });
  return alarmAt;
}

async function fireAlarm(id: string): Promise<void> {
  expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
}

describe("automation schedules: the per-automation alarm", () => {
  it("arms the schedule's Durable Object at the next fire time when it is created", async () => {
    const owner = await createTenant("sched-arm");
    const automation = await createSchedule(owner);
    const next = nextFireAfter("0 9 * * 1", "Europe/Berlin", new Date());
    expect(automation.nextRunAt).toBe(next.toISOString());
    expect(await alarmOf(automation.id)).toBe(alarmFor(next.getTime()));
  });

  it("an alarm at the due time starts a session and records the run, then arms the next fire", async () => {
    const owner = await createTenant("sched-fire");
    const automation = await createSchedule(owner);
    const due = new Date(Date.now() - 1_000);
    await makeDue(owner, automation.id, due);
    await fireAlarm(automation.id);

    const [run] = await runsOf(owner, automation.id);
    expect(run).toMatchObject({ outcome: "started", triggerId: `schedule:${due.toISOString()}` });
    expect(run?.sessionId).toBeTruthy();
    const session = await api(`/api/v1/sessions/${run?.sessionId}`, {}, owner);
    expect(session.status).toBe(200);
    const started = (await session.json()) as Session;
    expect(started).toMatchObject({
      trigger: "schedule",
      automation: { id: automation.id, name: automation.name },
    });
    // The template read the fire's payload.
    expect(started.title).toContain(`due ${due.toISOString()}`);
    const after = await readAutomation(owner, automation.id);
    const next = nextFireAfter("0 9 * * 1", "Europe/Berlin", new Date(run!.at));
    expect(after.nextRunAt).toBe(next.toISOString());
    expect(after.lastRunAt).toBe(run?.at);
    expect(await alarmOf(automation.id)).toBe(alarmFor(next.getTime()));
  });

  it("an alarm going off ahead of the due time (its lead) waits for it, then fires at the due time", async () => {
    const owner = await createTenant("sched-lead");
    const automation = await createSchedule(owner);
    const due = new Date(Date.now() + 2_000);
    await makeDue(owner, automation.id, due);
    await fireAlarm(automation.id);
    const [run] = await runsOf(owner, automation.id);
    expect(run).toMatchObject({ outcome: "started", triggerId: `schedule:${due.toISOString()}` });
    expect(Date.parse(run!.at)).toBeGreaterThanOrEqual(due.getTime() - 1_000);
    expect(Date.parse(run!.at)).toBeLessThan(due.getTime() + 5_000);
  });

  it("a second fire of the same due time starts no second session", async () => {
    const owner = await createTenant("sched-double");
    const automation = await createSchedule(owner);
    const due = new Date(Date.now() - 1_000);
    await makeDue(owner, automation.id, due);
    await fireAlarm(automation.id);
    await makeDue(owner, automation.id, due);
    await fireAlarm(automation.id);
    const runs = await runsOf(owner, automation.id);
    expect(runs.map((r) => r.outcome).sort()).toEqual(["duplicate", "started"]);
    expect(runs.filter((r) => r.sessionId)).toHaveLength(1);
  });

  it("catch-up: an alarm that runs minutes late skips the fire, records why, and moves on", async () => {
    const owner = await createTenant("sched-late");
    const automation = await createSchedule(owner);
    const due = new Date(Date.now() - 10 * 60_000);
    await makeDue(owner, automation.id, due);
    await fireAlarm(automation.id);

    const runs = await runsOf(owner, automation.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      outcome: "skipped",
      reason: "missed while the service was down",
      triggerId: `schedule:${due.toISOString()}`,
    });
    expect(runs[0]?.sessionId).toBeUndefined();
    const after = await readAutomation(owner, automation.id);
    expect(Date.parse(after.nextRunAt!)).toBeGreaterThan(Date.now());
    expect(await alarmOf(automation.id)).toBe(alarmFor(Date.parse(after.nextRunAt!)));
    // Missing a fire is not the automation failing.
    expect(after.consecutiveFailures).toBe(0);
  });

  it("auto-pauses after 3 consecutive failures (the acting member lost access), with the reason shown", async () => {
    const owner = await createTenant("sched-fail");
    const admin = await joinTenant(owner, "admin");
    const automation = await createSchedule(admin);
    expect(automation.actingUserId).toBe(admin.userId);
    const removed = await api(
      `/api/v1/tenants/${owner.tenantId}/members/${admin.userId}`,
      { method: "DELETE" },
      owner,
    );
    expect(removed.status).toBe(204);

    for (let i = 1; i <= 3; i++) {
      await makeDue(owner, automation.id, new Date(Date.now() - 1_000 * i));
      await fireAlarm(automation.id);
      const current = await readAutomation(owner, automation.id);
      expect(current.consecutiveFailures).toBe(i);
      expect(current.enabled).toBe(i < 3);
    }
    const paused = await readAutomation(owner, automation.id);
    expect(paused.pausedReason).toMatch(/paused after 3 failures in a row/);
    expect(paused.pausedReason).toMatch(/has left the tenant/);
    expect(paused.nextRunAt).toBeUndefined();
    expect(await alarmOf(automation.id)).toBeNull();
    const runs = await runsOf(owner, automation.id);
    expect(runs.map((r) => r.outcome)).toEqual(["failed", "failed", "failed"]);
  });

  it("a disabled schedule does not fire, even when an alarm it still had goes off", async () => {
    const owner = await createTenant("sched-disabled");
    const automation = await createSchedule(owner);
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/automations/${automation.id}`,
      { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"enabled":false}' },
      owner,
    );
    expect(res.status).toBe(200);
    expect(await alarmOf(automation.id)).toBeNull();

    // An alarm left over from before the pause (D1 is the truth, not the alarm).
    await runInDurableObject(stubOf(automation.id), (_instance, state) =>
      state.storage.setAlarm(Date.now() + HELD_ALARM_MS),
    );
    await fireAlarm(automation.id);
    expect(await runsOf(owner, automation.id)).toEqual([]);
    expect(await alarmOf(automation.id)).toBeNull();
  });

  it("an alarm armed for a time D1 no longer holds does not fire; it re-arms from D1", async () => {
    const owner = await createTenant("sched-stale");
    const automation = await createSchedule(owner);
    await makeDue(owner, automation.id, new Date(Date.now() - 1_000));
    // An edit moved the next fire (and its re-arm call was lost).
    await setScheduleNextRunAt(openDatabase(env.DB), owner.tenantId, automation.id, automation.nextRunAt!);
    await fireAlarm(automation.id);
    expect(await runsOf(owner, automation.id)).toEqual([]);
    expect(await alarmOf(automation.id)).toBe(alarmFor(Date.parse(automation.nextRunAt!)));
  });

  it("resuming arms the next fire without a missed-fire entry for the paused time", async () => {
    const owner = await createTenant("sched-resume");
    const automation = await createSchedule(owner, { enabled: false });
    expect(await alarmOf(automation.id)).toBeNull();
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/automations/${automation.id}`,
      { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"enabled":true}' },
      owner,
    );
    expect(res.status).toBe(200);
    const resumed = (await res.json()) as Automation;
    expect(await alarmOf(automation.id)).toBe(alarmFor(Date.parse(resumed.nextRunAt!)));
    expect(await runsOf(owner, automation.id)).toEqual([]);
  });

  it("deleting the automation clears its alarm", async () => {
    const owner = await createTenant("sched-delete");
    const automation = await createSchedule(owner);
    expect(await alarmOf(automation.id)).not.toBeNull();
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/automations/${automation.id}`,
      { method: "DELETE" },
      owner,
    );
    expect(res.status).toBe(204);
    expect(await alarmOf(automation.id)).toBeNull();
  });

  it("editing the cron re-arms the alarm at the new schedule's next fire", async () => {
    const owner = await createTenant("sched-edit");
    const automation = await createSchedule(owner);
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/automations/${automation.id}`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ trigger: { kind: "schedule", cron: "30 6 * * *", timezone: "Asia/Tokyo" } }),
      },
      owner,
    );
    expect(res.status).toBe(200);
    const next = nextFireAfter("30 6 * * *", "Asia/Tokyo", new Date());
    expect(await alarmOf(automation.id)).toBe(alarmFor(next.getTime()));
  });

  it("refuses a bad cron or zone at save, naming what is wrong", async () => {
    const owner = await createTenant("sched-bad");
    const bad = [
      [{ kind: "schedule", cron: "61 * * * *", timezone: "UTC" }, /minute: 61/],
      [{ kind: "schedule", cron: "0 9 * * *", timezone: "Mars/Olympus_Mons" }, /not a known IANA time zone/],
      [{ kind: "schedule", cron: "* * * * *", timezone: "UTC" }, /at most every 5 minutes/],
    ] as const;
    for (const [trigger, message] of bad) {
      const res = await postJson(
        `/api/v1/tenants/${owner.tenantId}/automations`,
        { name: "bad", trigger, repo: { mode: "fixed", repo: DEMO }, promptTemplate: "x" },
        {},
        owner,
      );
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(message);
    }
  });

  it("run now starts a run without moving the schedule's next fire or its alarm", async () => {
    const owner = await createTenant("sched-run-now");
    const automation = await createSchedule(owner);
    const before = await alarmOf(automation.id);
    const res = await postJson(
      `/api/v1/tenants/${owner.tenantId}/automations/${automation.id}/run`,
      {},
      {},
      owner,
    );
    expect(res.status).toBe(202);
    const { sessionId } = (await res.json()) as { sessionId?: string };
    const session = (await (await api(`/api/v1/sessions/${sessionId}`, {}, owner)).json()) as Session;
    // Run now renders a schedule's template with a payload of the same shape, due now.
    expect(session.title).toMatch(/due \d{4}-\d\d-\d\dT/);
    const after = await readAutomation(owner, automation.id);
    expect(after.nextRunAt).toBe(automation.nextRunAt);
    expect(await alarmOf(automation.id)).toBe(before);
  });

  it("the schedule's Durable Object refuses a caller naming another tenant", async () => {
    const owner = await createTenant("sched-owner");
    const other = await createTenant("sched-other");
    const automation = await createSchedule(owner);
    const before = await alarmOf(automation.id);
    const result = await stubOf(automation.id).arm({ tenantId: other.tenantId, automationId: automation.id });
    expect(result).toEqual({ armed: false, why: "not found" });
    expect(await alarmOf(automation.id)).toBe(before);
    // A DO never armed binds to nobody when the tenant does not own the automation.
    const fresh = await createSchedule(owner, { enabled: false });
    expect(await stubOf(fresh.id).arm({ tenantId: other.tenantId, automationId: fresh.id })).toEqual({
      armed: false,
      why: "not found",
    });
  });
});

describe("automation schedules: the Worker's cron only repairs", () => {
  async function runCron(): Promise<void> {
    const controller = createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("re-arms a schedule whose Durable Object lost its alarm, recording the missed fire (no burst)", async () => {
    const owner = await createTenant("sched-repair");
    const automation = await createSchedule(owner);
    const missed = new Date(Date.now() - 20 * 60_000);
    await setScheduleNextRunAt(openDatabase(env.DB), owner.tenantId, automation.id, missed.toISOString());
    await runInDurableObject(stubOf(automation.id), (_instance, state) => state.storage.deleteAlarm());

    await runCron();

    const after = await readAutomation(owner, automation.id);
    const next = nextFireAfter("0 9 * * 1", "Europe/Berlin", new Date());
    expect(after.nextRunAt).toBe(next.toISOString());
    expect(await alarmOf(automation.id)).toBe(alarmFor(next.getTime()));
    const runs = await runsOf(owner, automation.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: "skipped", reason: "missed while the service was down" });
  });

  it("leaves alone a schedule that is only just due (its own alarm fires it)", async () => {
    const owner = await createTenant("sched-repair-grace");
    const automation = await createSchedule(owner);
    const due = new Date(Date.now() - 30_000);
    const alarmAt = await makeDue(owner, automation.id, due);

    await runCron();

    expect(await runsOf(owner, automation.id)).toEqual([]);
    expect((await readAutomation(owner, automation.id)).nextRunAt).toBe(due.toISOString());
    expect(await alarmOf(automation.id)).toBe(alarmAt);
  });
});
