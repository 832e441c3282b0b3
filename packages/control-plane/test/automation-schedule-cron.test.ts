/**
 * Schedule cron parsing (issue 16 §3) inside workerd, where croner must run: next-fire times in an
 * IANA zone across DST changes, and the refusals at save, each naming what is wrong.
 */
import { describe, expect, it } from "vitest";
import { MIN_INTERVAL_MINUTES, nextFireAfter, validateSchedule } from "../src/automations/schedule/cron";

function refusal(cron: string, timezone = "UTC"): string {
  const check = validateSchedule(cron, timezone);
  if (check.ok) throw new Error(`expected "${cron}" in ${timezone} to be refused`);
  return check.message;
}

describe("schedule cron: next fire in a time zone", () => {
  it("fires 09:00 Berlin time at 08:00 UTC in winter and 07:00 UTC in summer", () => {
    expect(nextFireAfter("0 9 * * *", "Europe/Berlin", new Date("2026-01-10T12:00:00Z")).toISOString()).toBe(
      "2026-01-11T08:00:00.000Z",
    );
    expect(nextFireAfter("0 9 * * *", "Europe/Berlin", new Date("2026-07-10T12:00:00Z")).toISOString()).toBe(
      "2026-07-11T07:00:00.000Z",
    );
  });

  it("keeps 09:00 New York local time across the spring-forward DST change", () => {
    // DST starts in the US on Sunday 2026-03-08: 09:00 EST is 14:00 UTC, 09:00 EDT is 13:00 UTC.
    const saturday = nextFireAfter("0 9 * * *", "America/New_York", new Date("2026-03-07T12:00:00Z"));
    const sunday = nextFireAfter("0 9 * * *", "America/New_York", saturday);
    expect([saturday.toISOString(), sunday.toISOString()]).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
    ]);
  });

  it("runs a fixed time inside the spring-forward gap once, right after the gap", () => {
    // Berlin skips 02:00–03:00 on 2026-03-29; "02:30" that day runs at 03:00 CEST (01:00 UTC).
    const first = nextFireAfter("30 2 * * *", "Europe/Berlin", new Date("2026-03-28T12:00:00Z"));
    expect(first.toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(nextFireAfter("30 2 * * *", "Europe/Berlin", first).toISOString()).toBe(
      "2026-03-30T00:30:00.000Z",
    );
  });

  it("runs a fixed time that occurs twice at fall-back only once", () => {
    // Berlin repeats 02:00–03:00 on 2026-10-25: 02:30 CEST (00:30 UTC) runs, 02:30 CET does not.
    const first = nextFireAfter("30 2 * * *", "Europe/Berlin", new Date("2026-10-24T12:00:00Z"));
    const second = nextFireAfter("30 2 * * *", "Europe/Berlin", first);
    expect([first.toISOString(), second.toISOString()]).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("is strictly after the reference time", () => {
    const at = new Date("2026-01-05T09:00:00Z");
    expect(nextFireAfter("0 9 * * 1", "UTC", at).toISOString()).toBe("2026-01-12T09:00:00.000Z");
  });
});

describe("schedule cron: refusals name what is wrong", () => {
  it("accepts ordinary schedules and nicknames", () => {
    for (const cron of ["0 9 * * 1", "*/5 * * * *", "0 9 * * MON-FRI", "@daily", "0 0 L * *"])
      expect(validateSchedule(cron, "Europe/Berlin"), cron).toEqual({ ok: true });
  });

  it("names the bad field of a malformed cron", () => {
    expect(refusal("61 * * * *")).toMatch(/minute: 61/);
    expect(refusal("0 25 * * *")).toMatch(/hour: 25/);
    expect(refusal("0 9 * * FOO")).toMatch(/FOO/);
    expect(refusal("* * * *")).toMatch(/five fields/);
    expect(refusal("")).toMatch(/empty/);
  });

  it("refuses a six-field (seconds) pattern rather than reading it another way", () => {
    expect(refusal("0 0 9 * * *")).toMatch(/5 parts/);
  });

  it("refuses an unknown time zone", () => {
    expect(refusal("0 9 * * *", "Mars/Olympus_Mons")).toMatch(/not a known IANA time zone/);
    expect(refusal("0 9 * * *", "")).toMatch(/not a known IANA time zone/);
  });

  it("refuses a schedule firing more often than every 5 minutes, and says why", () => {
    expect(MIN_INTERVAL_MINUTES).toBe(5);
    const message = refusal("* * * * *");
    expect(message).toMatch(/1 minute apart/);
    expect(message).toMatch(/cost/);
    expect(message).toMatch(/abuse/);
    expect(refusal("*/4 * * * *")).toMatch(/4 minutes apart/);
    // */7 runs at :56 and then :00 of the next hour.
    expect(refusal("*/7 * * * *")).toMatch(/4 minutes apart \(at 00:56 and 01:00\)/);
    // 23:58 and 00:01 the next day.
    expect(refusal("1,58 0,23 * * *")).toMatch(/3 minutes apart \(at 23:58 and 00:01\)/);
  });

  it("refuses a schedule that never fires", () => {
    expect(refusal("0 0 30 2 *")).toMatch(/never fires/);
  });
});
