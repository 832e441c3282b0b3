import { describe, expect, it } from "vitest";
import { backoffDelay } from "./index.ts";

const BASE = 250;
const CAP = 10_000;
const LOW = () => 0;
const HIGH = () => 0.999999;

function ceilingOf(attempt: number): number {
  return Math.min(CAP, BASE * 2 ** attempt);
}

describe("backoffDelay", () => {
  it("without jitter doubles from the base and stops at the cap", () => {
    const delays = Array.from({ length: 8 }, (_, attempt) =>
      backoffDelay({ attempt, baseMs: BASE, capMs: CAP, jitter: "none" }),
    );
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it("with equal jitter stays in [ceiling/2, ceiling) for every attempt", () => {
    for (let attempt = 0; attempt < 64; attempt++) {
      const ceiling = ceilingOf(attempt);
      const low = backoffDelay({ attempt, baseMs: BASE, capMs: CAP, jitter: "equal", random: LOW });
      const high = backoffDelay({ attempt, baseMs: BASE, capMs: CAP, jitter: "equal", random: HIGH });
      expect(low).toBe(ceiling / 2);
      expect(high).toBe(ceiling - 1);
      expect(high).toBeLessThan(ceiling);
    }
  });

  it("with full jitter stays in [0, ceiling) for every attempt", () => {
    for (let attempt = 0; attempt < 64; attempt++) {
      const ceiling = ceilingOf(attempt);
      expect(backoffDelay({ attempt, baseMs: BASE, capMs: CAP, jitter: "full", random: LOW })).toBe(0);
      const high = backoffDelay({ attempt, baseMs: BASE, capMs: CAP, jitter: "full", random: HIGH });
      expect(high).toBe(ceiling - 1);
    }
  });

  it("spreads by the injected random and returns whole milliseconds", () => {
    const half = () => 0.5;
    expect(backoffDelay({ attempt: 2, baseMs: BASE, capMs: CAP, jitter: "equal", random: half })).toBe(750);
    expect(backoffDelay({ attempt: 2, baseMs: BASE, capMs: CAP, jitter: "full", random: half })).toBe(500);
    const odd = backoffDelay({ attempt: 0, baseMs: 3, capMs: CAP, jitter: "equal", random: half });
    expect(Number.isInteger(odd)).toBe(true);
  });

  it("treats a negative, fractional or huge attempt as a valid exponent, never Infinity or NaN", () => {
    expect(backoffDelay({ attempt: -3, baseMs: BASE, capMs: CAP, jitter: "none" })).toBe(BASE);
    expect(backoffDelay({ attempt: 1.7, baseMs: BASE, capMs: CAP, jitter: "none" })).toBe(2 * BASE);
    expect(backoffDelay({ attempt: 5000, baseMs: BASE, capMs: CAP, jitter: "none" })).toBe(CAP);
    expect(backoffDelay({ attempt: 5000, baseMs: 0, capMs: CAP, jitter: "full", random: HIGH })).toBe(0);
  });
});
