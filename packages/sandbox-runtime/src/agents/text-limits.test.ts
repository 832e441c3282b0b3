import { describe, expect, it } from "vitest";
import { limitStrings, truncateText } from "./text-limits";

describe("truncateText", () => {
  it("leaves short text alone", () => {
    expect(truncateText("abc", 3)).toBe("abc");
  });
  it("cuts to the limit, marker included, and counts what was cut", () => {
    const cut = truncateText("x".repeat(1000), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    const kept = cut.indexOf("…");
    expect(cut.endsWith(`[${1000 - kept} more characters cut]`)).toBe(true);
  });
});

describe("limitStrings", () => {
  it("cuts strings at any depth and keeps other values", () => {
    const value = { a: "y".repeat(50), n: 3, list: [{ b: "z".repeat(50) }, null, true] };
    const limited = limitStrings(value, 40) as { a: string; n: number; list: [{ b: string }, null, boolean] };
    expect(limited.a.length).toBeLessThanOrEqual(40);
    expect(limited.list[0].b.length).toBeLessThanOrEqual(40);
    expect(limited.n).toBe(3);
    expect(limited.list.slice(1)).toEqual([null, true]);
  });
  it("elides structures nested deeper than 8", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 12; i++) deep = { next: deep };
    expect(JSON.stringify(limitStrings(deep, 10))).toContain("[nested too deep]");
  });
});
