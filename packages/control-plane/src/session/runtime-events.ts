/**
 * What runtime events mean for the session, decided in one place: which are stored, which
 * end a turn, which fail the session, and the running cost. Pure over the store's prompt queue.
 */
import type { AgentEvent } from "@nightshift/protocol";
import type { LifecycleInput } from "./lifecycle";
import type { MetaStore } from "./meta-store";
import type { SessionStore } from "./store";

/** Error codes after which the sandbox cannot go on (the session fails). */
export const FATAL_RUNTIME_ERRORS: ReadonlySet<string> = new Set([
  "agent_not_installed",
  "clone_failed",
  "setup_failed",
  "workspace_failed",
]);

export class RuntimeEventEffects {
  private costChanged = false;

  constructor(
    private readonly store: Pick<SessionStore, "runningPrompt" | "setPromptState" | "pendingPromptCount">,
    private readonly meta: MetaStore,
    /** Masks secret values before anything is stored (the control plane's second line). */
    private readonly mask: (events: AgentEvent[]) => AgentEvent[] = (events) => events,
  ) {}

  apply(events: AgentEvent[]): { accepted: AgentEvent[]; inputs: LifecycleInput[] } {
    const accepted: AgentEvent[] = [];
    const inputs: LifecycleInput[] = [];
    for (const event of this.mask(events)) {
      // The session's status is the DO's to say; a runtime cannot set it.
      if (event.type === "session.status") continue;
      accepted.push(event);
      if (event.type === "usage" && event.costUsd !== undefined) this.addCost(event.costUsd);
      if (event.type === "turn.end") {
        const running = this.store.runningPrompt();
        if (running)
          this.store.setPromptState(running.id, event.status === "cancelled" ? "cancelled" : "done");
        inputs.push({ kind: "turn.ended", pendingPrompts: this.store.pendingPromptCount() });
      }
      if (event.type === "error" && FATAL_RUNTIME_ERRORS.has(event.code)) {
        inputs.push({ kind: "sandbox.failed", reason: event.message });
      }
    }
    return { accepted, inputs };
  }

  get costUsd(): number {
    return this.meta.get("usage.cost_usd") ?? 0;
  }

  /** The new total when it changed since the last call, else null. */
  takeCostChange(): number | null {
    if (!this.costChanged) return null;
    this.costChanged = false;
    return this.costUsd;
  }

  private addCost(usd: number): void {
    if (usd <= 0) return;
    this.meta.set("usage.cost_usd", Math.round((this.costUsd + usd) * 1e6) / 1e6);
    this.costChanged = true;
  }
}
