import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff";

describe("Backoff", () => {
  it("grows exponentially up to the cap, with full jitter, and resets", () => {
    const top = new Backoff({ baseMs: 250, capMs: 10_000, random: () => 0.999999 });
    const ceilings = Array.from({ length: 8 }, () => top.next());
    expect(ceilings).toEqual([249, 499, 999, 1999, 3999, 7999, 9999, 9999]);
    top.reset();
    expect(top.next()).toBe(249);
    const bottom = new Backoff({ baseMs: 250, capMs: 10_000, random: () => 0 });
    expect(bottom.next()).toBe(0);
  });
});
