/**
 * A schedule's cron expression read in an IANA time zone, parsed by croner (dependency-free; zones
 * through Intl, so it runs in workerd). Five fields only — minute hour day-of-month month
 * day-of-week — plus croner's nicknames (@daily, @weekly, ...). A schedule may not fire more often
 * than every MIN_INTERVAL_MINUTES: every fire starts a sandbox and a model conversation, so a
 * per-minute schedule is a cost (and abuse) multiplier nobody needs for the chores schedules are for.
 */
import { Cron, CronPattern } from "croner";

export const MIN_INTERVAL_MINUTES = 5;
const MINUTES_PER_DAY = 24 * 60;
const CRON_MAX_CHARS = 200;
const TIMEZONE_MAX_CHARS = 100;

export type ScheduleCheck = { ok: true } | { ok: false; message: string };

/** "5-part" refuses croner's seconds and years fields: a six-field pattern is an error, not a guess. */
const CRON_OPTIONS = { mode: "5-part" } as const;

export function isKnownTimezone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > TIMEZONE_MAX_CHARS) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** croner's message without its class prefix, e.g. "Invalid value for minute: 61". */
function parserMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^CronPattern:\s*/, "");
}

function parsePattern(cron: string): { ok: true; pattern: CronPattern } | { ok: false; message: string } {
  if (cron.trim().length === 0) return { ok: false, message: "the cron expression is empty" };
  if (cron.length > CRON_MAX_CHARS)
    return { ok: false, message: `the cron expression is longer than ${CRON_MAX_CHARS} characters` };
  try {
    return { ok: true, pattern: new CronPattern(cron.trim(), undefined, CRON_OPTIONS) };
  } catch (err) {
    return {
      ok: false,
      message:
        `the cron expression "${cron}" is not valid: ${parserMessage(err)} ` +
        '(five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1")',
    };
  }
}

function indexesSet(flags: readonly number[]): number[] {
  const out: number[] = [];
  flags.forEach((flag, i) => {
    if (flag) out.push(i);
  });
  return out;
}

const clock = (minuteOfDay: number) =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}:${String(minuteOfDay % 60).padStart(2, "0")}`;

/**
 * The closest two fires can be, in minutes, from the minute and hour fields: the gaps between the
 * day's fire times, and from the day's last to the next day's first (counted even when the day
 * fields rule the next day out — a conservative answer for a rare shape). Wall-clock minutes: a
 * DST change skips or repeats an hour but never brings two fires closer than the pattern does.
 */
function closestFires(pattern: CronPattern): { minutes: number; from: number; to: number } {
  const times: number[] = [];
  for (const hour of indexesSet(pattern.hour))
    for (const minute of indexesSet(pattern.minute)) times.push(hour * 60 + minute);
  times.sort((a, b) => a - b);
  const first = times[0]!;
  const last = times.at(-1)!;
  let closest = { minutes: MINUTES_PER_DAY, from: last, to: first };
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap < closest.minutes) closest = { minutes: gap, from: times[i - 1]!, to: times[i]! };
  }
  const overMidnight = first + MINUTES_PER_DAY - last;
  return overMidnight < closest.minutes ? { minutes: overMidnight, from: last, to: first } : closest;
}

/** Checked when an automation is saved; the message names what is wrong, for the 400 answer. */
export function validateSchedule(cron: string, timezone: string): ScheduleCheck {
  const parsed = parsePattern(cron);
  if (!parsed.ok) return parsed;
  if (!isKnownTimezone(timezone))
    return {
      ok: false,
      message: `"${timezone.slice(0, TIMEZONE_MAX_CHARS)}" is not a known IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")`,
    };
  const closest = closestFires(parsed.pattern);
  if (closest.minutes < MIN_INTERVAL_MINUTES)
    return {
      ok: false,
      message:
        `the schedule "${cron}" fires ${closest.minutes} minute${closest.minutes === 1 ? "" : "s"} apart ` +
        `(at ${clock(closest.from)} and ${clock(closest.to)}); schedules may fire at most every ` +
        `${MIN_INTERVAL_MINUTES} minutes, because every run starts a sandbox and an agent (cost) and a ` +
        "tighter loop is a way to exhaust the deployment's capacity (abuse)",
    };
  if (new Cron(cron.trim(), { ...CRON_OPTIONS, timezone }).nextRun(new Date()) === null)
    return { ok: false, message: `the schedule "${cron}" never fires (no date matches it)` };
  return { ok: true };
}

/**
 * The first fire time strictly after `after`. The schedule must have passed validateSchedule
 * (a schedule that never fires, or an unknown zone, throws).
 */
export function nextFireAfter(cron: string, timezone: string, after: Date): Date {
  const next = new Cron(cron.trim(), { ...CRON_OPTIONS, timezone }).nextRun(after);
  if (!next) throw new Error(`the schedule "${cron}" never fires after ${after.toISOString()}`);
  return next;
}
