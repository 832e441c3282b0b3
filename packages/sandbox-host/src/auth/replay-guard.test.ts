import { describe, expect, it } from "vitest";
import { ReplayGuard } from "./replay-guard";

describe("ReplayGuard", () => {
  it("accepts a signature again once its entry has expired, even behind a longer-lived one", () => {
    const guard = new ReplayGuard(10);
    expect(guard.check("long", 10_000, 0)).toBe("fresh");
    expect(guard.check("short", 500, 0)).toBe("fresh");
    expect(guard.check("short", 900, 499)).toBe("replay");
    // Expired at exactly its expiry time, though "long" (first in line) is still live.
    expect(guard.check("short", 1_000, 500)).toBe("fresh");
    expect(guard.check("long", 11_000, 500)).toBe("replay");
  });

  it("forgets expired entries as time passes, so the guard does not grow without bound", () => {
    const guard = new ReplayGuard(10);
    guard.check("a", 100, 0);
    guard.check("b", 200, 0);
    expect(guard.size).toBe(2);
    guard.check("c", 300, 100);
    expect(guard.size).toBe(2);
    guard.check("d", 400, 300);
    expect(guard.size).toBe(1);
  });

  it("when full, sweeps out expired entries anywhere in line before refusing new requests", () => {
    const guard = new ReplayGuard(2);
    guard.check("long", 10_000, 0);
    guard.check("short", 100, 0);
    // Full, with "long" live at the front: only a sweep past it finds "short" expired (at 100 exactly).
    expect(guard.check("new", 1_000, 100)).toBe("fresh");
    expect(guard.check("another", 1_000, 100)).toBe("full");
    expect(guard.size).toBe(2);
  });
});
