import { describe, expect, it } from "vitest";
import { decide, IDLE_PAUSE_REASON } from "./lifecycle";
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

  it("fails a session whose sandbox went silent mid-turn", () => {
    const t = decide("running", { kind: "sandbox.stale", midTurn: true, pendingPrompts: 1 });
    expect(t.status).toBe("failed");
    expect(t.effects).toContain("terminate-sandbox");
    expect(t.reason).toMatch(/heartbeat/);
    // The limit a user is told is the one the timeouts enforce, not a copy of it.
    expect(t.reason).toContain(`no heartbeat for ${HEARTBEAT_STALE_MS / 1000} s`);
    // A sandbox that never came up is a failed start, not a pause.
    for (const s of ["starting", "resuming"] as const)
      expect(decide(s, { kind: "sandbox.stale", midTurn: false, pendingPrompts: 1 }).status).toBe("failed");
  });

  it("a sandbox killed behind Nightshift's back while idle pauses the session instead of failing it", () => {
    const t = decide("idle", { kind: "sandbox.stale", midTurn: false, pendingPrompts: 0 });
    expect(t.status).toBe("paused");
    // Its end (and its slot's release) is still carried out.
    expect(t.effects).toEqual(["terminate-sandbox"]);
    expect(t.reason).toMatch(/between turns/);
    expect(decide("paused", { kind: "sandbox.stale", midTurn: false, pendingPrompts: 0 })).toEqual({
      status: "paused",
      effects: [],
    });
  });

  it("a follow-up sent to a sandbox that was already gone resumes on a new one instead of failing", () => {
    // The prompt never reached the dead sandbox: the session is running, nothing is mid-turn.
    const t = decide("running", { kind: "sandbox.stale", midTurn: false, pendingPrompts: 1 });
    expect(t.status).toBe("resuming");
    expect(t.effects).toEqual(["terminate-sandbox", "finish-release", "request-slot"]);
  });

  it("the idle release pauses the session (a follow-up can still resume it) instead of completing it", () => {
    const t = decide("idle", { kind: "idle.timeout" });
    expect(t).toEqual({ status: "paused", effects: ["terminate-sandbox"], reason: IDLE_PAUSE_REASON });
    expect(decide("idle", { kind: "idle.timeout", reason: "others wait" }).reason).toBe("others wait");
    expect(decide("running", { kind: "idle.timeout" })).toEqual({ status: "running", effects: [] });
  });

  it("a follow-up on a paused session resumes it: resuming, a slot, a new sandbox, then running", () => {
    const woke = decide("paused", { kind: "prompt.enqueued" });
    expect(woke.status).toBe("resuming");
    // The old sandbox's release is settled before the new slot is asked for.
    expect(woke.effects).toEqual(["finish-release", "request-slot"]);
    expect(woke.reason).toMatch(/resuming/);
    expect(decide("resuming", { kind: "prompt.enqueued" })).toEqual({
      status: "resuming",
      effects: ["request-slot"],
    });
    expect(decide("resuming", { kind: "slot.granted" })).toEqual({
      status: "resuming",
      effects: ["start-sandbox"],
    });
    expect(decide("resuming", { kind: "sandbox.ready" })).toEqual({
      status: "running",
      effects: ["dispatch-prompt"],
    });
  });

  it("a resuming session waits in line on a full provider, and a paused one can be stopped", () => {
    expect(decide("resuming", { kind: "provider.full", reason: "full" })).toEqual({
      status: "resuming",
      effects: [],
    });
    expect(decide("paused", { kind: "stop.requested" }).status).toBe("stopped");
    expect(decide("paused", { kind: "slot.granted" })).toEqual({ status: "paused", effects: [] });
    expect(decide("resuming", { kind: "sandbox.failed", reason: "no" }).status).toBe("failed");
  });
});
