/**
 * The DO's durable housekeeping in one place, so the agent stays a thin host: deadlines run on
 * the alarm (retried with backoff when their work throws), the alarm is set before any D1
 * write, the D1 index is synced (and re-synced after a failure), and stalls are repaired.
 */
import type { SessionStatus } from "@nightshift/protocol";
import type { Database } from "../db/client";
import { updateSession } from "../db/repositories/sessions";
import { type IndexState, IndexSync } from "./index-sync";
import type { LifecycleInput } from "./lifecycle";
import type { MetaStore } from "./meta-store";
import { Reconciler } from "./reconciler";
import type { DeadlineFailure, DeadlineWork, Scheduler } from "./scheduler";
import type { SessionMeta } from "./store";

function logDeadlineFailure({ name, attempt, retryAt, error }: DeadlineFailure, now: number): void {
  console.error(
    JSON.stringify({
      level: "warn",
      event: "session.deadline_failed",
      deadline: name,
      attempt,
      retryInMs: retryAt - now,
      message: error instanceof Error ? error.message : "unknown error",
    }),
  );
}

export class SessionUpkeep {
  readonly index: IndexSync;
  private readonly reconciler: Reconciler;

  constructor(
    private readonly storage: Pick<DurableObjectStorage, "setAlarm" | "deleteAlarm">,
    meta: MetaStore,
    private readonly scheduler: Scheduler,
    db: () => Database,
    private readonly now: () => number,
  ) {
    this.index = new IndexSync(
      (session, patch, at) => updateSession(db(), session.tenantId, session.sessionId, patch, at),
      meta,
      scheduler,
      now,
    );
    this.reconciler = new Reconciler(scheduler, now);
  }

  /** Keeps the watchdog armed exactly while the session waits for a sandbox. */
  statusChanged(status: SessionStatus): void {
    this.reconciler.statusChanged(status);
  }

  /** The alarm: runs every due deadline's work; failures stay scheduled with backoff. */
  async runDue(work: DeadlineWork): Promise<void> {
    const now = this.now();
    await this.scheduler.runDue(now, work, (failure) => logDeadlineFailure(failure, now));
  }

  /**
   * The end of every settle: sets the alarm first, then syncs the D1 index (never throws; a
   * deferred change or a failure schedules `index.sync`, so the alarm is set again to cover it).
   */
  async afterSettle(
    meta: SessionMeta,
    state: IndexState,
    change: { status: boolean; cost: boolean },
  ): Promise<void> {
    await this.armAlarm();
    if ((await this.index.syncAfterChange(meta, state, change)) !== "synced") await this.armAlarm();
  }

  /**
   * What moves a stuck session on: a lifecycle input to apply, or nothing (a relaunch is
   * scheduled here). Re-arms the watchdog while the session still waits.
   */
  repairStall(
    status: SessionStatus,
    sandboxConnected: boolean,
    pendingPrompts: number,
  ): LifecycleInput | null {
    const repair = this.reconciler.diagnose(status, sandboxConnected, pendingPrompts);
    this.reconciler.statusChanged(status);
    if (repair.kind === "relaunch") this.scheduler.set("sandbox.start", this.now());
    return repair.kind === "input" ? repair.input : null;
  }

  private async armAlarm(): Promise<void> {
    const wake = this.scheduler.nextWake();
    if (wake === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(wake);
  }
}
