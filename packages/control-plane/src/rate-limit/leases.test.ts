import { describe, expect, it } from "vitest";
import { TokenLeases } from "./leases";

const options = { ttlMs: 1_000, maxWant: 8, maxEntries: 3 };

describe("rate-limit leases", () => {
  it("asks for one at first, hands out what was granted, then asks the limiter again", () => {
    const leases = new TokenLeases(options);
    expect(leases.takeLocal("k", 0)).toBe(false);
    expect(leases.want("k", 0)).toBe(1);
    leases.granted("k", 3, 1, 0);
    expect(leases.takeLocal("k", 10)).toBe(true);
    expect(leases.takeLocal("k", 20)).toBe(true);
    expect(leases.takeLocal("k", 30)).toBe(false);
    // Another key has nothing.
    expect(leases.takeLocal("other", 30)).toBe(false);
  });

  it("doubles what it asks for while leases run out live, up to the most allowed", () => {
    const leases = new TokenLeases(options);
    const wants: number[] = [];
    let at = 0;
    for (let i = 0; i < 5; i++) {
      const want = leases.want("k", at);
      wants.push(want);
      leases.granted("k", want, want, at);
      while (leases.takeLocal("k", at)) at += 1;
    }
    expect(wants).toEqual([1, 2, 4, 8, 8]);
  });

  it("after a lease lapses, asks for what it handed out", () => {
    const leases = new TokenLeases(options);
    leases.granted("k", 8, 8, 0);
    expect(leases.takeLocal("k", 100)).toBe(true);
    expect(leases.takeLocal("k", 200)).toBe(true);
    // Lapsed at 1,000 with 5 left: they are dropped, not handed out late.
    expect(leases.takeLocal("k", 1_000)).toBe(false);
    expect(leases.want("k", 1_000)).toBe(3);
  });

  it("keeps every request when concurrent misses each took a lease", () => {
    const leases = new TokenLeases(options);
    leases.granted("k", 2, 2, 0);
    leases.granted("k", 2, 2, 5);
    // Each caller used one of its two: two are left, not one.
    expect(leases.takeLocal("k", 10)).toBe(true);
    expect(leases.takeLocal("k", 10)).toBe(true);
    expect(leases.takeLocal("k", 10)).toBe(false);
  });

  it("keeps at most maxEntries keys, dropping lapsed leases first, then the oldest", () => {
    const leases = new TokenLeases(options);
    leases.granted("a", 5, 5, 0);
    leases.granted("b", 5, 5, 500);
    leases.granted("c", 5, 5, 600);
    // "a" lapsed at 1,000: it goes, "b" and "c" stay.
    leases.granted("d", 5, 5, 1_200);
    expect(leases.takeLocal("b", 1_250)).toBe(true);
    expect(leases.takeLocal("c", 1_250)).toBe(true);
    expect(leases.takeLocal("d", 1_250)).toBe(true);
    // Nothing lapsed now: the oldest ("b") makes room.
    leases.granted("e", 5, 5, 1_300);
    expect(leases.takeLocal("b", 1_350)).toBe(false);
    expect(leases.takeLocal("c", 1_350)).toBe(true);
    expect(leases.takeLocal("e", 1_350)).toBe(true);
  });
});
