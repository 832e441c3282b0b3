import { describe, expect, it } from "vitest";
import { decide } from "./lifecycle";

describe("session lifecycle", () => {
  it("starts a sandbox for the first prompt and dispatches once it is ready", () => {
    expect(decide("queued", { kind: "prompt.enqueued" })).toEqual({
      status: "starting",
      effects: ["start-sandbox"],
    });
    expect(decide("starting", { kind: "sandbox.ready" })).toEqual({
      status: "running",
      effects: ["dispatch-prompt"],
    });
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
  });
});
