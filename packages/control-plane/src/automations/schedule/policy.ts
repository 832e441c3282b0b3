/**
 * The scheduler's timing rules, pure: when a due time counts as missed, what a fire's trigger id
 * and payload are. Catch-up after downtime is "skip, not a burst": a fire whose alarm runs more
 * than FIRE_GRACE_MS after its due time (the Worker was down, the alarm was lost) does not start a
 * session; it is recorded as a skipped run and the schedule moves on to its next fire time after
 * now. A chore that comes back late ("every Monday at 9, bump dependencies") would be doing stale
 * work at a surprising time, and after a long outage every schedule firing at once would be the
 * burst that takes the service down again; the next regular fire does the chore anyway.
 */

/** An alarm this late runs its fire; later than this the fire was missed. */
export const FIRE_GRACE_MS = 60_000;
/**
 * The cron repair (maintenance) re-arms schedules whose next fire is this far in the past: well
 * past FIRE_GRACE_MS, so an alarm that is merely running late is never raced by the repair.
 */
export const REPAIR_AFTER_MS = 3 * 60_000;
/**
 * A schedule's alarm goes off this long before its due time and the handler waits out the rest,
 * so waking the Durable Object (and the runtime dispatching many alarms at once) happens before
 * the due time instead of delaying the fire. 1,000 schedules due in the same minute under wrangler
 * dev fired 9–16 s late without it. The object stays awake for at most this long per fire.
 */
export const ALARM_LEAD_MS = 30_000;
/** The reason a missed fire's skipped run shows in the run history. */
export const MISSED_REASON = "missed while the service was down";

/** A fire's trigger id: the due time, so two fires of one due time dedupe to one run. */
export function scheduleTriggerId(due: Date): string {
  return `schedule:${due.toISOString()}`;
}

export function isMissed(due: Date, now: Date): boolean {
  return now.getTime() - due.getTime() > FIRE_GRACE_MS;
}

/** What a scheduled run's template sees as `payload` ({{payload.scheduledFor}} and so on). */
export interface SchedulePayload {
  scheduledFor: string;
  firedAt: string;
  cron: string;
  timezone: string;
}

export function schedulePayload(
  schedule: { cron: string; timezone: string },
  due: Date,
  now: Date,
): SchedulePayload {
  return {
    scheduledFor: due.toISOString(),
    firedAt: now.toISOString(),
    cron: schedule.cron,
    timezone: schedule.timezone,
  };
}
