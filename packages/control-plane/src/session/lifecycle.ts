/**
 * The session state machine, pure: given the current status and what happened, the next
 * status and the effects the host must carry out. No I/O here, so every path is unit-tested.
 * A session stays `queued` until the slot pool grants it a sandbox slot; only then does it start
 * one, and a provider that turns out to be full sends it back to `queued`, never to `failed`.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import { HEARTBEAT_STALE_MS } from "./timeouts";

export type LifecycleInput =
  | { kind: "prompt.enqueued" }
  | { kind: "slot.granted" }
  | { kind: "provider.full"; reason: string }
  | { kind: "sandbox.ready" }
  | { kind: "turn.ended"; pendingPrompts: number }
  | { kind: "stop.requested"; reason?: string }
  | { kind: "sandbox.failed"; reason: string }
  | { kind: "sandbox.stale" }
  | { kind: "idle.timeout"; reason?: string };

export type Effect =
  | "request-slot"
  | "start-sandbox"
  | "dispatch-prompt"
  | "cancel-turn"
  | "terminate-sandbox";

export interface Transition {
  status: SessionStatus;
  effects: Effect[];
  reason?: string;
}

export function decide(status: SessionStatus, input: LifecycleInput): Transition {
  if (TERMINAL_STATUSES.has(status)) return { status, effects: [] };
  switch (input.kind) {
    case "prompt.enqueued":
      if (status === "queued") return { status, effects: ["request-slot"] };
      if (status === "idle") return { status: "running", effects: ["dispatch-prompt"] };
      return { status, effects: [] };
    case "slot.granted":
      if (status === "queued") return { status: "starting", effects: ["start-sandbox"] };
      return { status, effects: [] };
    case "provider.full":
      if (status !== "starting") return { status, effects: [] };
      return { status: "queued", effects: [], reason: input.reason };
    case "sandbox.ready":
      if (status === "starting" || status === "running" || status === "idle") {
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
        status: "completed",
        effects: ["terminate-sandbox"],
        reason: input.reason ?? "idle timeout: the sandbox was released",
      };
    case "sandbox.stale":
      return {
        status: "failed",
        effects: ["terminate-sandbox"],
        reason: `the sandbox stopped responding (no heartbeat for ${HEARTBEAT_STALE_MS / 1000} s)`,
      };
  }
}
