import { describe, expect, it } from "vitest";
import { decide } from "./lifecycle";
import { HEARTBEAT_STALE_MS } from "./timeouts";

describe("session lifecycle", () => {
  it("asks for a sandbox slot for the first prompt, starts once granted, dispatches once ready", () => {
    expect(decide("queued", { kind: "prompt.enqueued" })).toEqual({
      status: "queued",
      effects: ["request-slot"],
    });
    expect(decide("queued", { kind: "slot.granted" })).toEqual({
      status: "starting",
      effects: ["start-sandbox"],
    });
    expect(decide("starting", { kind: "sandbox.ready" })).toEqual({
      status: "running",
      effects: ["dispatch-prompt"],
    });
  });

  it("a session never starts a sandbox without a slot (no start from prompts while queued)", () => {
    for (let i = 0; i < 3; i++) {
      expect(decide("queued", { kind: "prompt.enqueued" }).effects).not.toContain("start-sandbox");
    }
  });

  it("a full provider puts a starting session back in line instead of failing it", () => {
    const t = decide("starting", { kind: "provider.full", reason: "the sandbox host is full" });
    expect(t).toEqual({ status: "queued", effects: [], reason: "the sandbox host is full" });
    expect(decide("running", { kind: "provider.full", reason: "x" })).toEqual({
      status: "running",
      effects: [],
    });
  });

  it("ignores a late slot grant once the session has moved on", () => {
    for (const s of ["starting", "running", "idle", "stopped", "failed"] as const) {
      expect(decide(s, { kind: "slot.granted" })).toEqual({ status: s, effects: [] });
    }
  });

  it("queues prompts while running and drains them turn by turn", () => {
    expect(decide("running", { kind: "prompt.enqueued" })).toEqual({ status: "running", effects: [] });
    expect(decide("running", { kind: "turn.ended", pendingPrompts: 1 }).effects).toEqual(["dispatch-prompt"]);
    expect(decide("running", { kind: "turn.ended", pendingPrompts: 0 })).toEqual({
      status: "idle",
      effects: [],
    });
    expect(decide("idle", { kind: "prompt.enqueued" })).toEqual({
      status: "running",
      effects: ["dispatch-prompt"],
    });
  });

  it("stops from any live state and ignores everything once terminal", () => {
    for (const s of ["queued", "starting", "running", "idle"] as const) {
      expect(decide(s, { kind: "stop.requested" }).status).toBe("stopped");
    }
    for (const s of ["stopped", "completed", "failed"] as const) {
      expect(decide(s, { kind: "prompt.enqueued" })).toEqual({ status: s, effects: [] });
      expect(decide(s, { kind: "stop.requested" })).toEqual({ status: s, effects: [] });
    }
  });

  it("fails a session whose sandbox went silent", () => {
    const t = decide("running", { kind: "sandbox.stale" });
    expect(t.status).toBe("failed");
    expect(t.effects).toContain("terminate-sandbox");
    expect(t.reason).toMatch(/heartbeat/);
    // The limit a user is told is the one the timeouts enforce, not a copy of it.
    expect(t.reason).toContain(`no heartbeat for ${HEARTBEAT_STALE_MS / 1000} s`);
  });
});
