/**
 * The session state machine, pure: given the current status and what happened, the next
 * status and the effects the host must carry out. No I/O here, so every path is unit-tested.
 * A session stays `queued` until the slot pool grants it a sandbox slot; only then does it start
 * one, and a provider that turns out to be full sends it back to `queued`, never to `failed`.
 * A session outlives its sandbox: losing the sandbox between turns (it went silent, or the idle
 * release ended it) makes the session `paused`, holding no slot; a follow-up makes it `resuming`
 * (a slot, then a new incarnation on the session's branch) until the new sandbox is ready. Only a
 * sandbox lost mid-turn, or one that never came up, fails the session.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import { HEARTBEAT_STALE_MS } from "./timeouts";

export type LifecycleInput =
  /** `fromSnapshot`: a resume would start from the session's provider snapshot (sandbox-snapshots.ts). */
  | { kind: "prompt.enqueued"; fromSnapshot?: boolean }
  | { kind: "slot.granted" }
  | { kind: "provider.full"; reason: string }
  | { kind: "sandbox.ready" }
  | { kind: "turn.ended"; pendingPrompts: number }
  | { kind: "stop.requested"; reason?: string }
  | { kind: "sandbox.failed"; reason: string }
  /**
   * The sandbox went silent past the heartbeat grace (or its bridge closed for good). `midTurn`:
   * a prompt had reached it; `pendingPrompts`: prompts wait (a follow-up sent to a sandbox that
   * was already gone never reached it).
   */
  | { kind: "sandbox.stale"; midTurn: boolean; pendingPrompts: number }
  | { kind: "idle.timeout"; reason?: string };

export type Effect =
  | "request-slot"
  | "start-sandbox"
  | "dispatch-prompt"
  | "cancel-turn"
  | "terminate-sandbox"
  /** Before asking for a slot again: end a paused session's old sandbox now if its release is still pending. */
  | "finish-release";

export interface Transition {
  status: SessionStatus;
  effects: Effect[];
  reason?: string;
}

/** Statuses in which the session waits for the slot pool (it may grant them a slot). */
export const WAITING_FOR_SLOT: ReadonlySet<SessionStatus> = new Set(["queued", "resuming"]);

/** Statuses in which a launched sandbox is on its way (the `sandbox.start` deadline acts on them). */
export const LAUNCHING: ReadonlySet<SessionStatus> = new Set(["starting", "resuming"]);

export const IDLE_PAUSE_REASON =
  "idle timeout: the sandbox was released; send a follow-up to resume the session on a new one";

const RESUME_REASON = "a follow-up arrived: resuming on a new sandbox from the session's branch";
const RESUME_FROM_SNAPSHOT_REASON =
  "a follow-up arrived: resuming on a new sandbox from a snapshot of the session's last one (the branch and the conversation as pushed and saved)";

const staleSilence = `no heartbeat for ${HEARTBEAT_STALE_MS / 1000} s`;

/** The `sandbox.heartbeat` deadline's input: whether the silent sandbox was mid-turn, and what waits. */
export function staleSandbox(prompts: {
  runningPrompt(): unknown;
  pendingPromptCount(): number;
}): LifecycleInput {
  return {
    kind: "sandbox.stale",
    midTurn: prompts.runningPrompt() !== null,
    pendingPrompts: prompts.pendingPromptCount(),
  };
}

export function decide(status: SessionStatus, input: LifecycleInput): Transition {
  if (TERMINAL_STATUSES.has(status)) return { status, effects: [] };
  switch (input.kind) {
    case "prompt.enqueued":
      if (status === "queued") return { status, effects: ["request-slot"] };
      if (status === "idle") return { status: "running", effects: ["dispatch-prompt"] };
      if (status === "paused")
        return {
          status: "resuming",
          effects: ["finish-release", "request-slot"],
          reason: input.fromSnapshot ? RESUME_FROM_SNAPSHOT_REASON : RESUME_REASON,
        };
      if (status === "resuming") return { status, effects: ["request-slot"] };
      return { status, effects: [] };
    case "slot.granted":
      if (status === "queued") return { status: "starting", effects: ["start-sandbox"] };
      if (status === "resuming") return { status, effects: ["start-sandbox"] };
      return { status, effects: [] };
    case "provider.full":
      // A resuming session stays resuming: the pool puts it back in line (session-slot.ts).
      if (status !== "starting") return { status, effects: [] };
      return { status: "queued", effects: [], reason: input.reason };
    case "sandbox.ready":
      if (status === "starting" || status === "resuming" || status === "running" || status === "idle") {
        return { status: "running", effects: ["dispatch-prompt"] };
      }
      return { status, effects: [] };
    case "turn.ended":
      if (status !== "running") return { status, effects: [] };
      return input.pendingPrompts > 0
        ? { status: "running", effects: ["dispatch-prompt"] }
        : { status: "idle", effects: [] };
    case "stop.requested":
      return {
        status: "stopped",
        effects: ["cancel-turn", "terminate-sandbox"],
        reason: input.reason ?? "stopped by request",
      };
    case "sandbox.failed":
      return { status: "failed", effects: ["terminate-sandbox"], reason: input.reason };
    case "idle.timeout":
      if (status !== "idle") return { status, effects: [] };
      return {
        status: "paused",
        effects: ["terminate-sandbox"],
        reason: input.reason ?? IDLE_PAUSE_REASON,
      };
    case "sandbox.stale":
      return sandboxLost(status, input.midTurn, input.pendingPrompts);
  }
}

/** The sandbox is gone: between turns the session pauses (and resumes at once when a prompt waits). */
function sandboxLost(status: SessionStatus, midTurn: boolean, pendingPrompts: number): Transition {
  const betweenTurns = status === "idle" || (status === "running" && !midTurn);
  if (!betweenTurns) {
    if (status === "paused") return { status, effects: [] };
    return {
      status: "failed",
      effects: ["terminate-sandbox"],
      reason: `the sandbox stopped responding (${staleSilence})`,
    };
  }
  if (pendingPrompts > 0) {
    // The follow-up never reached the lost sandbox: it runs on a new one.
    return {
      status: "resuming",
      effects: ["terminate-sandbox", "finish-release", "request-slot"],
      reason: `the sandbox went away between turns (${staleSilence}); resuming on a new one for the waiting prompt`,
    };
  }
  return {
    status: "paused",
    effects: ["terminate-sandbox"],
    reason: `the sandbox went away between turns (${staleSilence}); send a follow-up to resume the session`,
  };
}
