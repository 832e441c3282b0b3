/**
 * Repairs sessions stuck on their way to a sandbox (queued, starting, or resuming a paused one). Two paths meet here:
 * - the DO's own `session.watchdog` deadline, armed while the session is `queued`/`starting`,
 *   notices when nothing is scheduled that would move it on (e.g. a crash between writing the
 *   session and scheduling its start) and schedules the start again;
 * - the Worker's cron sweep calls `reconcile` on DOs whose D1 row has sat in `queued`/`starting`
 *   too long: a DO that was never initialised (the Worker wrote the row, the initialize call
 *   failed) is recorded as failed with a reason; one that was is repaired as above and its D1
 *   row rewritten from the DO's truth (which also re-arms a lost alarm).
 */
import type { SessionStatus } from "@nightshift/protocol";
import type { LifecycleInput } from "./lifecycle";
import type { Scheduler } from "./scheduler";
import type { SessionMeta } from "./store";

/** How long a session may sit in queued/starting with nothing scheduled before it is repaired. */
export const WATCHDOG_MS = 2 * 60_000;

/** What the sweep passes for a D1 row whose DO may never have been initialised. */
export type ReconcileRow = Omit<SessionMeta, "status">;

export const NEVER_INITIALISED_REASON =
  "the session could not be started: the control plane failed to hand it to its session agent; start it again";

const STUCK: ReadonlySet<SessionStatus> = new Set(["queued", "starting", "resuming"]);

export function isStuckStatus(status: SessionStatus): boolean {
  return STUCK.has(status);
}

export type Repair =
  | { kind: "none" }
  /** Queued with prompts waiting and no start in sight: feed the lifecycle its missing input. */
  | { kind: "input"; input: LifecycleInput }
  /** Starting with neither a launch nor a connect deadline pending: launch again. */
  | { kind: "relaunch" };

export class Reconciler {
  constructor(
    private readonly scheduler: Pick<Scheduler, "set" | "clear" | "has">,
    private readonly now: () => number,
  ) {}

  /** Arms the watchdog while the session waits for a sandbox; disarms it otherwise. */
  statusChanged(status: SessionStatus): void {
    if (isStuckStatus(status)) this.scheduler.set("session.watchdog", this.now() + WATCHDOG_MS);
    else this.scheduler.clear("session.watchdog");
  }

  /** Decides the repair for a session, given whether a sandbox is connected and prompts wait. */
  diagnose(status: SessionStatus, sandboxConnected: boolean, pendingPrompts: number): Repair {
    if (!isStuckStatus(status) || sandboxConnected) return { kind: "none" };
    const launchPending = this.scheduler.has("sandbox.start") || this.scheduler.has("sandbox.heartbeat");
    if (launchPending) return { kind: "none" };
    // Resuming may still wait for its slot: asking again is harmless (the pool's acquire is idempotent).
    if (status === "queued" || status === "resuming")
      return pendingPrompts > 0 ? { kind: "input", input: { kind: "prompt.enqueued" } } : { kind: "none" };
    return { kind: "relaunch" };
  }
}
