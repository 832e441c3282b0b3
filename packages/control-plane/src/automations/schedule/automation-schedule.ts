/**
 * AutomationSchedule: one Durable Object per scheduled automation (getByName of
 * automationScheduleName), holding an alarm at the schedule's next fire time, so nothing polls
 * every automation every minute. D1 is the truth: on every call and every alarm the DO re-reads
 * the automation (scoped by the tenant it was bound to at its first arm) and fires only while it
 * exists, is enabled and its schedule is the one the alarm was armed for.
 */

import { DurableObject } from "cloudflare:workers";
import type { Automation } from "@nightshift/protocol";
import { ulid } from "ulid";
import { z } from "zod";
import { openDatabase } from "../../db/client";
import { insertRun } from "../../db/repositories/automation-runs";
import { setScheduleNextRunAt } from "../../db/repositories/automation-schedules";
import { getAutomation, recordScheduleOutcome } from "../../db/repositories/automations";
import type { Bindings } from "../../env";
import { startAutomationRun } from "../run";
import { nextFireAfter } from "./cron";
import { ALARM_LEAD_MS, isMissed, MISSED_REASON, schedulePayload, scheduleTriggerId } from "./policy";

export function automationScheduleName(automationId: string): string {
  return `automation-schedule:${automationId}`;
}

const Target = z.object({ tenantId: z.string().min(1), automationId: z.string().min(1) });
type Target = z.infer<typeof Target>;

/** What the alarm was set for: the schedule as it was then, and the due time. */
const Armed = z.object({ cron: z.string(), timezone: z.string(), dueAt: z.string() });
type Armed = z.infer<typeof Armed>;

export type ArmResult = { armed: true; nextRunAt: string } | { armed: false; why: string };

const TARGET_KEY = "target";
/** A timer may end a few milliseconds before the due time; that is the due time. */
const EARLY_TOLERANCE_MS = 1_000;
const ARMED_KEY = "armed";

type Schedule = { cron: string; timezone: string };

/** The automation's schedule while it should fire: it exists, is enabled and is a schedule. */
function activeSchedule(automation: Automation | null): Schedule | null {
  if (!automation?.enabled || automation.trigger.kind !== "schedule") return null;
  return { cron: automation.trigger.cron, timezone: automation.trigger.timezone };
}

export class AutomationSchedule extends DurableObject<Bindings> {
  /** (Re)arm from D1: the automation's current schedule and next fire time. */
  async arm(input: Target): Promise<ArmResult> {
    const target = Target.parse(input);
    return this.ctx.blockConcurrencyWhile(async () => {
      if (!(await this.owns(target))) return { armed: false, why: "not found" };
      const automation = await this.load(target);
      // Bound only to an automation that is there in that tenant: a wrong tenant binds nothing.
      if (automation) await this.ctx.storage.put(TARGET_KEY, target);
      return this.sync(target, automation, new Date());
    });
  }

  /** The automation was deleted or paused: no alarm, and no memory of the last due time. */
  async disarm(automationId: string): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const stored = Target.safeParse(await this.ctx.storage.get(TARGET_KEY));
      if (stored.success && stored.data.automationId !== automationId) return;
      await this.clear();
    });
  }

  override async alarm(): Promise<void> {
    await this.waitForDueTime();
    // The fire time: the due time reached, before any I/O of the fire itself.
    const now = new Date();
    await this.ctx.blockConcurrencyWhile(() => this.fireDue(now));
  }

  /** The alarm went off ALARM_LEAD_MS early (see policy.ts): waits, outside any lock, for the due time. */
  private async waitForDueTime(): Promise<void> {
    const armed = Armed.safeParse(await this.ctx.storage.get(ARMED_KEY));
    if (!armed.success) return;
    const wait = Date.parse(armed.data.dueAt) - Date.now();
    if (wait > 0 && wait <= ALARM_LEAD_MS) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private async owns(target: Target): Promise<boolean> {
    const stored = Target.safeParse(await this.ctx.storage.get(TARGET_KEY));
    return (
      !stored.success ||
      (stored.data.tenantId === target.tenantId && stored.data.automationId === target.automationId)
    );
  }

  private load(target: Target): Promise<Automation | null> {
    return getAutomation(openDatabase(this.env.DB), target.tenantId, target.automationId);
  }

  private async clear(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.delete(ARMED_KEY);
  }

  private async armAt(schedule: Schedule, due: Date): Promise<ArmResult> {
    const armed: Armed = { ...schedule, dueAt: due.toISOString() };
    await this.ctx.storage.put(ARMED_KEY, armed);
    await this.ctx.storage.setAlarm(due.getTime() - ALARM_LEAD_MS);
    return { armed: true, nextRunAt: armed.dueAt };
  }

  /**
   * Sets the alarm to the automation's next fire. A next fire time in D1 that is already past
   * by more than the grace window was missed (the alarm was lost or the service was down): it
   * becomes a skipped run and the schedule moves on, never a late burst.
   */
  private async sync(target: Target, automation: Automation | null, now: Date): Promise<ArmResult> {
    const schedule = activeSchedule(automation);
    if (!automation || !schedule) {
      await this.clear();
      return { armed: false, why: automation ? "not an enabled schedule" : "not found" };
    }
    const db = openDatabase(this.env.DB);
    const stored = automation.nextRunAt ? new Date(automation.nextRunAt) : null;
    const upcoming = nextFireAfter(schedule.cron, schedule.timezone, now);
    let due = upcoming;
    if (stored && !Number.isNaN(stored.getTime()) && stored.getTime() <= now.getTime()) {
      if (isMissed(stored, now)) {
        // Claims the due time's trigger id: reporting the same missed fire twice adds one row.
        await insertRun(db, target.tenantId, {
          id: ulid(now.getTime()).toLowerCase(),
          automationId: target.automationId,
          at: now.toISOString(),
          triggerId: scheduleTriggerId(stored),
          outcome: "skipped",
          reason: MISSED_REASON,
          claim: true,
        });
      } else due = stored;
    }
    if (automation.nextRunAt !== due.toISOString())
      await setScheduleNextRunAt(db, target.tenantId, target.automationId, due.toISOString());
    return this.armAt(schedule, due);
  }

  private async fireDue(now: Date): Promise<void> {
    const target = Target.safeParse(await this.ctx.storage.get(TARGET_KEY));
    if (!target.success) return;
    const armed = Armed.safeParse(await this.ctx.storage.get(ARMED_KEY));
    const automation = await this.load(target.data);
    const schedule = activeSchedule(automation);
    const unchanged =
      armed.success &&
      schedule !== null &&
      armed.data.cron === schedule.cron &&
      armed.data.timezone === schedule.timezone &&
      automation?.nextRunAt === armed.data.dueAt;
    // Deleted, paused, edited or re-timed since this alarm was set: follow D1 instead of firing.
    if (!unchanged || !automation || !schedule) {
      await this.sync(target.data, automation, now);
      return;
    }
    const due = new Date(armed.data.dueAt);
    // Woken well before the due time (an alarm set by hand, a clock step): back to sleep.
    if (due.getTime() - now.getTime() > EARLY_TOLERANCE_MS) {
      await this.armAt(schedule, due);
      return;
    }
    // A late alarm is handled like a lost one: skipped and recorded, then on to the next fire.
    if (isMissed(due, now)) {
      await this.sync(target.data, automation, now);
      return;
    }
    await this.fire(target.data, automation, schedule, due, now);
  }

  private async fire(
    target: Target,
    automation: Automation,
    schedule: Schedule,
    due: Date,
    now: Date,
  ): Promise<void> {
    const next = nextFireAfter(schedule.cron, schedule.timezone, now);
    const run = await startAutomationRun(
      this.env,
      {
        automation,
        triggerId: scheduleTriggerId(due),
        payload: schedulePayload(schedule, due, now),
        trigger: "schedule",
      },
      now,
    );
    const db = openDatabase(this.env.DB);
    let after: Automation | null = automation;
    // A second fire of one due time (an alarm retried after a crash) changes nothing but the next time.
    if (run.outcome === "duplicate")
      await setScheduleNextRunAt(db, target.tenantId, target.automationId, next.toISOString());
    else
      after = await recordScheduleOutcome(db, target.tenantId, target.automationId, {
        // Only a failed run counts towards the auto-pause; a rate-limited or filtered one is not the
        // automation failing.
        ok: run.outcome !== "failed",
        ...(run.reason ? { reason: run.reason } : {}),
        nextRunAt: next.toISOString(),
        firedAt: now.toISOString(),
      });
    console.log(
      JSON.stringify({
        event: "automation.schedule_fired",
        automationId: target.automationId,
        dueAt: due.toISOString(),
        lateMs: now.getTime() - due.getTime(),
        outcome: run.outcome,
      }),
    );
    // The third failure in a row paused it (recordScheduleOutcome): then no next alarm.
    if (!activeSchedule(after)) {
      await this.clear();
      return;
    }
    await this.armAt(schedule, next);
  }
}
