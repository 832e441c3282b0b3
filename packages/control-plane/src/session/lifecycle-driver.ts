/**
 * The effect runner: applies the session's queued lifecycle inputs in order through the pure
 * `decide`, stores and announces each status change, and carries out each transition's effects
 * (dispatch a prompt, cancel a turn, ask the pool for a slot, start or end the sandbox). The
 * SessionAgent queues inputs from its RPCs, the bridge and its deadlines, then drains them here.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import type { SessionSlot } from "../capacity/session-slot";
import type { SandboxBridge } from "./bridge";
import { decide, type Effect, type LifecycleInput } from "./lifecycle";
import type { NewPrompt } from "./rpc-types";
import type { Scheduler } from "./scheduler";
import type { SessionMeta, SessionStore } from "./store";
import type { SessionTimeouts } from "./timeouts";

export interface DriverParts {
  store: SessionStore;
  bridge: Pick<SandboxBridge, "send">;
  scheduler: Pick<Scheduler, "set">;
  timeouts: Pick<SessionTimeouts, "turnStarted" | "releaseSandboxSoon">;
  slot: Pick<SessionSlot, "request">;
  publish: (events: AgentEvent[]) => unknown;
  /** Ends the previous sandbox now when its release is still pending (before a resume asks for a slot). */
  finishRelease: () => Promise<void>;
  /** After a new status was stored and announced: the session's other parts follow it. */
  statusChanged: (before: SessionMeta, status: SessionStatus, reason?: string) => void;
  now: () => number;
}

export class LifecycleDriver {
  private readonly inputs: LifecycleInput[] = [];
  private slotRequested = false;
  private releaseRequested = false;

  constructor(private readonly parts: DriverParts) {}

  push(input: LifecycleInput): void {
    this.inputs.push(input);
  }

  /** Applies queued inputs in order, and the slot request they asked for, until none is left. */
  async drain(): Promise<void> {
    const { store, publish } = this.parts;
    while (this.inputs.length > 0 || this.slotRequested || this.releaseRequested) {
      if (this.inputs.length === 0 && this.releaseRequested) {
        // The old sandbox's end (and its slot) must be settled before the new one is asked for.
        this.releaseRequested = false;
        await this.parts.finishRelease();
        continue;
      }
      if (this.inputs.length === 0) {
        this.slotRequested = false;
        const step = await this.parts.slot.request();
        publish(step.events);
        if (step.input) this.inputs.push(step.input);
        continue;
      }
      const input = this.inputs.shift()!;
      const meta = this.meta();
      const next = decide(meta.status, input);
      if (next.status !== meta.status) {
        store.meta.set("session.meta", { ...meta, status: next.status });
        publish([
          { type: "session.status", status: next.status, ...(next.reason ? { reason: next.reason } : {}) },
        ]);
        this.parts.statusChanged(meta, next.status, next.reason);
      }
      for (const effect of next.effects) this.runEffect(effect);
    }
  }

  /** The runtime sent its ready frame: it waits for a prompt. */
  sandboxReady(): void {
    // A prompt marked running while the runtime says it is idle never reached it: send it again.
    const running = this.parts.store.runningPrompt();
    if (running) this.sendPrompt(running);
    this.inputs.push({ kind: "sandbox.ready" });
  }

  /** Hands a prompt to the runtime; false when no sandbox is connected to take it. */
  private sendPrompt(prompt: Pick<NewPrompt, "id" | "text" | "author">): boolean {
    const sent = this.parts.bridge.send({
      v: 1,
      type: "prompt",
      promptId: prompt.id,
      text: prompt.text,
      author: { name: prompt.author.name, email: prompt.author.email },
    });
    if (sent) this.parts.timeouts.turnStarted();
    return sent;
  }

  private runEffect(effect: Effect): void {
    const { store, bridge } = this.parts;
    switch (effect) {
      case "start-sandbox":
        // Provider calls happen in the alarm, never inside the request that queued the work.
        this.parts.scheduler.set("sandbox.start", this.parts.now());
        return;
      case "dispatch-prompt": {
        if (store.runningPrompt()) return;
        const next = store.nextQueuedPrompt();
        if (!next) {
          this.inputs.push({ kind: "turn.ended", pendingPrompts: 0 });
          return;
        }
        if (this.sendPrompt(next)) store.setPromptState(next.id, "running");
        return;
      }
      case "cancel-turn":
        bridge.send({ v: 1, type: "cancel" });
        store.cancelOpenPrompts();
        return;
      case "request-slot":
        // Asked for in drain(), after the inputs before it: one pool call however many prompts.
        this.slotRequested = true;
        return;
      case "finish-release":
        this.releaseRequested = true;
        return;
      case "terminate-sandbox":
        bridge.send({ v: 1, type: "shutdown", reason: "the session ended" });
        this.parts.timeouts.releaseSandboxSoon();
        return;
    }
  }

  private meta(): SessionMeta {
    const meta = this.parts.store.meta.get("session.meta");
    if (!meta) throw new Error("session is not initialized");
    return meta;
  }
}
