import { describe, expect, it } from "vitest";
import { arrivalRound, nextGrants, queuePositions, type Waiter } from "./policy";

/** Stamps arrivals as the coordinator does: each request gets a round on arrival. */
function arrive(tenants: string[], poolRound = 0): Waiter[] {
  const waiting: Waiter[] = [];
  tenants.forEach((tenantId, i) => {
    waiting.push({ sessionId: `s${i}`, tenantId, round: arrivalRound(waiting, tenantId, poolRound), seq: i });
  });
  return waiting;
}

describe("slot fair-share policy", () => {
  it("a tenant that queues many first cannot push a later tenant to the back of the line", () => {
    const waiting = arrive(["a", "a", "a", "a", "b", "c"]);
    const order = [...queuePositions(waiting)].sort((x, y) => x[1] - y[1]).map(([id]) => id);
    expect(order).toEqual(["s0", "s4", "s5", "s1", "s2", "s3"]);
  });

  it("keeps FIFO within a tenant", () => {
    const waiting = arrive(["a", "b", "a", "b", "a"]);
    const positions = queuePositions(waiting);
    expect(positions.get("s0")! < positions.get("s2")!).toBe(true);
    expect(positions.get("s2")! < positions.get("s4")!).toBe(true);
  });

  it("grants no more than the free slots, and skips a tenant at its cap without losing its place", () => {
    const waiting = arrive(["a", "a", "b"]);
    const holders = [{ sessionId: "h1", tenantId: "a" }];
    expect(nextGrants(waiting, holders, { total: 3, perTenant: 1 }).map((w) => w.sessionId)).toEqual(["s2"]);
    expect(nextGrants(waiting, holders, { total: 2, perTenant: 5 }).map((w) => w.sessionId)).toEqual(["s0"]);
    expect(nextGrants(waiting, holders, { total: 1, perTenant: 5 })).toEqual([]);
  });

  it("a tenant returning after a quiet spell gets no credit for the rounds it missed", () => {
    // The pool has served up to round 50; a tenant that was idle starts at 51, like everyone new.
    expect(arrivalRound([], "quiet", 50)).toBe(51);
    const busy: Waiter[] = [{ sessionId: "x", tenantId: "busy", round: 60, seq: 1 }];
    expect(arrivalRound(busy, "busy", 50)).toBe(61);
  });
});
