/**
 * The denial reporter's windows measured from a clock far from zero: the unit tests in
 * src/egress start at t = 0, where `now - windowStart` and `now - last.at` read the same as
 * sums, so a wrong sign in either only shows in a later window.
 */
import type { EgressDenial } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { DenialReporter } from "../src/egress/denial-reporter";

function reporterAt(start: number, options: { windowMs: number; maxPerWindow?: number }) {
  const clock = { now: start };
  const seen: EgressDenial[] = [];
  const reporter = new DenialReporter({ ...options, now: () => clock.now });
  reporter.subscribe((denial) => seen.push(denial));
  return { clock, seen, reporter };
}

describe("DenialReporter windows after the first", () => {
  it("keeps a later window's budget until that window has lasted windowMs", () => {
    const { clock, seen, reporter } = reporterAt(50_000, { windowMs: 1000, maxPerWindow: 2 });
    for (const host of ["a", "b", "c"]) reporter.deny(`CONNECT ${host}.example.com:443`, "not allowed");
    expect(seen.map((d) => d.target)).toEqual(["CONNECT a.example.com:443", "CONNECT b.example.com:443"]);
    clock.now = 50_999;
    expect(reporter.deny("CONNECT d.example.com:443", "not allowed")).toBe(false);
    clock.now = 51_000;
    expect(reporter.deny("CONNECT d.example.com:443", "not allowed")).toBe(true);
    expect(reporter.deny("CONNECT e.example.com:443", "not allowed")).toBe(true);
    expect(reporter.deny("CONNECT f.example.com:443", "not allowed")).toBe(false);
  });

  it("folds a repeat of a target reported late in the clock's life until its own window has passed", () => {
    const { clock, seen, reporter } = reporterAt(90_000, { windowMs: 1000 });
    expect(reporter.deny("CONNECT evil.example.com:443", "not allowed")).toBe(true);
    clock.now = 90_500;
    expect(reporter.deny("CONNECT evil.example.com:443", "not allowed")).toBe(false);
    clock.now = 90_999;
    expect(reporter.deny("CONNECT evil.example.com:443", "not allowed")).toBe(false);
    clock.now = 91_000;
    expect(reporter.deny("CONNECT evil.example.com:443", "not allowed")).toBe(true);
    expect(seen).toEqual([
      { target: "CONNECT evil.example.com:443", reason: "not allowed", repeats: 0 },
      { target: "CONNECT evil.example.com:443", reason: "not allowed", repeats: 2 },
    ]);
  });

  it("measures a target's window from its own last report, not from the window's start", () => {
    const { clock, reporter } = reporterAt(10_000, { windowMs: 1000 });
    reporter.deny("CONNECT first.example.com:443", "not allowed");
    clock.now = 10_800;
    expect(reporter.deny("CONNECT late.example.com:443", "not allowed")).toBe(true);
    // A new window has begun for the budget, but the late target was reported only 400 ms ago.
    clock.now = 11_200;
    expect(reporter.deny("CONNECT late.example.com:443", "not allowed")).toBe(false);
    expect(reporter.deny("CONNECT first.example.com:443", "not allowed")).toBe(true);
  });
});
