import { describe, expect, it } from "vitest";
import { formatCost, formatDuration, formatRelative, formatRepo, formatTokens } from "./format";
import { ordinal, queuePlace } from "./queue-place";

describe("formatCost", () => {
  it("shows nothing spent as $0.00, sub-cent costs with four places and the rest in cents", () => {
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(0.0042)).toBe("$0.0042");
    expect(formatCost(0.00999)).toBe("$0.0100");
    expect(formatCost(0.01)).toBe("$0.01");
    expect(formatCost(1.235)).toBe("$1.24");
    expect(formatCost(12)).toBe("$12.00");
  });
});

describe("formatTokens", () => {
  it("counts exactly below a thousand, in k with one decimal below ten thousand, then whole k, then M", () => {
    expect(formatTokens(0)).toBe("0");
    expect(formatTokens(999)).toBe("999");
    expect(formatTokens(1000)).toBe("1.0k");
    expect(formatTokens(1250)).toBe("1.3k");
    expect(formatTokens(9_999)).toBe("10.0k");
    expect(formatTokens(10_000)).toBe("10k");
    expect(formatTokens(123_456)).toBe("123k");
    expect(formatTokens(999_999)).toBe("1000k");
    expect(formatTokens(1_000_000)).toBe("1.0M");
    expect(formatTokens(2_460_000)).toBe("2.5M");
  });
});

describe("formatDuration", () => {
  it("reads seconds, minutes with padded seconds, and hours with padded minutes", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(999)).toBe("0s");
    expect(formatDuration(59_999)).toBe("59s");
    expect(formatDuration(60_000)).toBe("1m 00s");
    expect(formatDuration(65_000)).toBe("1m 05s");
    expect(formatDuration(3_599_000)).toBe("59m 59s");
    expect(formatDuration(3_600_000)).toBe("1h 00m");
    expect(formatDuration(3_600_000 + 7 * 60_000 + 30_000)).toBe("1h 07m");
    expect(formatDuration(26 * 3_600_000)).toBe("26h 00m");
  });

  it("never shows a negative duration when clocks disagree", () => {
    expect(formatDuration(-5_000)).toBe("0s");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-12-04T12:00:00Z");
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

  it("says just now, minutes, hours, then the date", () => {
    expect(formatRelative(ago(0), now)).toBe("just now");
    expect(formatRelative(ago(44), now)).toBe("just now");
    expect(formatRelative(ago(45), now)).toBe("1 min ago");
    expect(formatRelative(ago(150), now)).toBe("3 min ago");
    expect(formatRelative(ago(3599), now)).toBe("60 min ago");
    expect(formatRelative(ago(3600), now)).toBe("1 h ago");
    expect(formatRelative(ago(86_399), now)).toBe("24 h ago");
    const old = ago(86_400);
    expect(formatRelative(old, now)).toBe(new Date(Date.parse(old)).toLocaleDateString());
  });

  it("shows nothing for a timestamp it cannot read", () => {
    expect(formatRelative("not a date", now)).toBe("");
  });
});

describe("formatRepo", () => {
  it("names a GitHub repo owner/name and a local one by its path", () => {
    expect(formatRepo({ kind: "github", owner: "acme", name: "api" })).toBe("acme/api");
    expect(formatRepo({ kind: "local", path: "/srv/repos/api" })).toBe("local:/srv/repos/api");
  });
});

describe("queuePlace", () => {
  it("says next in line for the first place and an English ordinal after it", () => {
    expect(queuePlace(1)).toBe("next in line");
    expect(queuePlace(2)).toBe("2nd in line");
    expect(queuePlace(3)).toBe("3rd in line");
    expect(queuePlace(4)).toBe("4th in line");
  });

  it("uses th for the teens and st/nd/rd after them", () => {
    expect(ordinal(1)).toBe("1st");
    expect(ordinal(10)).toBe("10th");
    expect(ordinal(11)).toBe("11th");
    expect(ordinal(12)).toBe("12th");
    expect(ordinal(13)).toBe("13th");
    expect(ordinal(14)).toBe("14th");
    expect(ordinal(21)).toBe("21st");
    expect(ordinal(22)).toBe("22nd");
    expect(ordinal(23)).toBe("23rd");
    expect(ordinal(111)).toBe("111th");
    expect(ordinal(112)).toBe("112th");
    expect(ordinal(113)).toBe("113th");
    expect(ordinal(101)).toBe("101st");
  });
});
