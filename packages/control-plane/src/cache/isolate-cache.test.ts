import { describe, expect, it } from "vitest";
import { IsolateCache } from "./isolate-cache";

function clocked(ttlMs: number, maxEntries: number) {
  const clock = { t: 1_000 };
  const cache = new IsolateCache<string>({ ttlMs, maxEntries, now: () => clock.t });
  return { clock, cache };
}

describe("isolate cache", () => {
  it("serves an entry until its TTL has passed, then forgets it", () => {
    const { clock, cache } = clocked(100, 10);
    cache.set("k", "v");
    clock.t += 99;
    expect(cache.get("k")).toBe("v");
    clock.t += 1;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("measures expiry from an explicit time when one is given", () => {
    const { cache } = clocked(100, 10);
    cache.set("k", "v", 5_000);
    expect(cache.get("k", 5_099)).toBe("v");
    expect(cache.get("k", 5_100)).toBeUndefined();
  });

  it("storing a key again restarts its TTL", () => {
    const { clock, cache } = clocked(100, 10);
    cache.set("k", "old");
    clock.t += 80;
    cache.set("k", "new");
    clock.t += 80;
    expect(cache.get("k")).toBe("new");
  });

  it("never holds more than its bound: expired entries go first, then the oldest stored", () => {
    const { clock, cache } = clocked(100, 3);
    cache.set("a", "1");
    clock.t += 60;
    cache.set("b", "2");
    cache.set("c", "3");
    clock.t += 50; // "a" has expired, "b" and "c" are live
    cache.set("d", "4");
    expect(cache.size).toBe(3);
    expect([cache.get("b"), cache.get("c"), cache.get("d")]).toEqual(["2", "3", "4"]);
    cache.set("e", "5"); // all live: the oldest stored ("b") makes room
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("c"), cache.get("d"), cache.get("e")]).toEqual(["3", "4", "5"]);
  });

  it("a key stored again counts as the newest when room is made", () => {
    const { cache } = clocked(1_000, 2);
    cache.set("a", "1");
    cache.set("b", "2");
    cache.set("a", "1 again");
    cache.set("c", "3");
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe("1 again");
  });

  it("clear() forgets every entry", () => {
    const { cache } = clocked(1_000, 10);
    cache.set("a", "1");
    cache.set("b", "2");
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get("a")).toBeUndefined();
  });

  it("getOrLoad loads once per live entry, and concurrent misses share one load", async () => {
    const { clock, cache } = clocked(100, 10);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await Promise.all([cache.getOrLoad("k", load), cache.getOrLoad("k", load)])).toEqual(["v1", "v1"]);
    expect(await cache.getOrLoad("k", load)).toBe("v1");
    clock.t += 100;
    expect(await cache.getOrLoad("k", load)).toBe("v2");
    expect(loads).toBe(2);
  });

  it("getOrLoad does not store a failed load, so the next call tries again", async () => {
    const { cache } = clocked(100, 10);
    await expect(cache.getOrLoad("k", () => Promise.reject(new Error("D1 unavailable")))).rejects.toThrow(
      "D1 unavailable",
    );
    expect(await cache.getOrLoad("k", async () => "loaded")).toBe("loaded");
  });

  it("a load that was running when clear() was called is not stored", async () => {
    const { cache } = clocked(1_000, 10);
    let finish: (value: string) => void = () => undefined;
    const slow = cache.getOrLoad("k", () => new Promise<string>((resolve) => (finish = resolve)));
    cache.clear();
    finish("stale");
    expect(await slow).toBe("stale");
    expect(cache.get("k")).toBeUndefined();
  });

  it("refuses a bound below one entry or a TTL that is not positive", () => {
    expect(() => new IsolateCache({ ttlMs: 0, maxEntries: 10 })).toThrow(RangeError);
    expect(() => new IsolateCache({ ttlMs: 10, maxEntries: 0 })).toThrow(RangeError);
  });
});
