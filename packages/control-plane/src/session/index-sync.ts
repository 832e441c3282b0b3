/**
 * Keeps the D1 sessions index (what listing and the Worker read) in step with the DO, which
 * holds the truth, with few writes: what a listing must show at once (a turn or the session
 * ending: idle, paused, stopped, completed, failed) is written at once; other changes (queued →
 * starting → running, stopping, the isolation and warm/cold start, the cost) only mark the index
 * behind and arm the `index.sync` deadline a few seconds later, so a burst of them costs one write
 * and an end that comes first carries them. A write that fails is not lost either: the index stays
 * behind and `index.sync` writes the whole current state again, with the scheduler's backoff,
 * until D1 takes it.
 */
import type { SessionStatus } from "@nightshift/protocol";
import type { SessionPatch } from "../db/repositories/sessions";
import type { MetaStore } from "./meta-store";
import type { Scheduler } from "./scheduler";
import { retryDelay } from "./scheduler";
import type { SessionMeta } from "./store";

/** Statuses a listing must show at once: the end of a turn or of the session. */
const WRITTEN_AT_ONCE: ReadonlySet<SessionStatus> = new Set([
  "idle",
  "paused",
  "stopped",
  "completed",
  "failed",
]);
/**
 * A status change that can wait is written this much after the last one (with whatever else
 * changed by then), and at most INDEX_STATUS_MAX_WAIT_MS after the first one still unwritten.
 */
export const INDEX_STATUS_DELAY_MS = 5_000;
export const INDEX_STATUS_MAX_WAIT_MS = 15_000;
/**
 * A change of cost alone waits this long: a long turn's usage events would
 * otherwise write the row every few seconds. The turn's end writes it anyway.
 */
export const INDEX_DETAIL_DELAY_MS = 60_000;

export interface IndexState {
  status: SessionStatus;
  costUsd: number;
  /** The latest sandbox's isolation level, once one has started. */
  sandboxIsolation?: string | null;
  /** Whether the latest sandbox started warm (from a prebuilt snapshot) or cold. */
  sandboxStart?: "warm" | "cold" | null;
}

export class IndexSync {
  /**
   * The isolation level last written to D1 (in memory: after an eviction it is written once more).
   * A sandbox starting changes no status, so its isolation would otherwise wait for the next one.
   */
  private indexedIsolation: string | null | undefined = undefined;
  /** Likewise the warm/cold start last written. */
  private indexedStart: string | null | undefined = undefined;
  /** When the oldest status change not yet in D1 happened (in memory: an eviction restarts the wait). */
  private pendingSince: number | undefined = undefined;

  constructor(
    /** Writes the patch onto the session's D1 row (db/repositories/sessions.ts updateSession). */
    private readonly writeRow: (meta: SessionMeta, patch: SessionPatch, at: string) => Promise<void>,
    private readonly meta: MetaStore,
    private readonly scheduler: Pick<Scheduler, "set" | "setNoLaterThan" | "clear">,
    private readonly now: () => number,
  ) {}

  /** True while the index lacks a change: deferred, or a write failed and was not yet repeated. */
  get behind(): boolean {
    return this.meta.get("index.behind") !== null;
  }

  /**
   * True while the last write failed: `index.sync` then carries a retry with backoff, which a
   * deferral must not re-arm (re-arming resets its attempts, so an outage would be retried every
   * few seconds forever); the retry writes whatever changed meanwhile.
   */
  private get failing(): boolean {
    return this.meta.get("index.failing") !== null;
  }

  private markFailing(): void {
    this.meta.set("index.behind", true);
    this.meta.set("index.failing", true);
  }

  /**
   * After a settle: writes the session's state to D1 at once when a listing must show it, defers
   * it when it can wait (see the top of this file), and does nothing when nothing changed. Never
   * throws: a failure marks the index behind and schedules `index.sync` ("retry"), which alone
   * retries until D1 takes it (so a D1 outage costs one failed call per change, not one per settle).
   */
  async syncAfterChange(
    meta: SessionMeta,
    state: IndexState,
    change: { status: boolean; cost: boolean },
  ): Promise<"synced" | "deferred" | "retry"> {
    const isolationNew = Boolean(state.sandboxIsolation) && state.sandboxIsolation !== this.indexedIsolation;
    const startNew = Boolean(state.sandboxStart) && state.sandboxStart !== this.indexedStart;
    if (!change.status && !change.cost && !isolationNew && !startNew) return "synced";
    if (!(change.status && WRITTEN_AT_ONCE.has(state.status))) {
      this.meta.set("index.behind", true);
      if (this.failing) return "retry";
      // A new sandbox's isolation and start show in listings like a status; cost alone can wait.
      this.defer(change.status || isolationNew || startNew);
      return "deferred";
    }
    try {
      await this.write(meta, state);
      this.scheduler.clear("index.sync");
      return "synced";
    } catch (error) {
      const wasFailing = this.failing;
      this.markFailing();
      // A retry already pending keeps its backoff; a first failure schedules one.
      if (!wasFailing) this.scheduler.setNoLaterThan("index.sync", this.now() + retryDelay(1));
      console.error(
        JSON.stringify({
          level: "warn",
          event: "session.index_sync_failed",
          sessionId: meta.sessionId,
          message: error instanceof Error ? error.message : "unknown error",
        }),
      );
      return "retry";
    }
  }

  /**
   * A status (or new sandbox) change re-arms `index.sync` (a burst such as starting → running
   * costs one write), but never past INDEX_STATUS_MAX_WAIT_MS after the first change still
   * unwritten; a cost change alone only makes sure a write comes within INDEX_DETAIL_DELAY_MS.
   */
  private defer(shownChange: boolean): void {
    const now = this.now();
    if (!shownChange) {
      this.scheduler.setNoLaterThan("index.sync", now + INDEX_DETAIL_DELAY_MS);
      return;
    }
    this.pendingSince ??= now;
    const at = Math.min(now + INDEX_STATUS_DELAY_MS, this.pendingSince + INDEX_STATUS_MAX_WAIT_MS);
    this.scheduler.set("index.sync", at);
  }

  /**
   * The `index.sync` deadline's work (a deferred change, or a failed write again): throws on
   * failure so the scheduler retries with backoff.
   */
  async retry(meta: SessionMeta, state: IndexState): Promise<void> {
    if (!this.behind) return;
    try {
      await this.write(meta, state);
    } catch (error) {
      this.markFailing();
      throw error;
    }
  }

  /** What the index should show now: the session's status and cost, its latest sandbox's details. */
  current(meta: SessionMeta, costUsd: number): IndexState {
    return {
      status: meta.status,
      costUsd,
      sandboxIsolation: this.meta.get("sandbox.isolation"),
      sandboxStart: this.meta.get("sandbox.start"),
    };
  }

  /** Writes the current state unconditionally (the reconciler's repair); throws on failure. */
  async write(meta: SessionMeta, state: IndexState): Promise<void> {
    await this.writeRow(
      meta,
      {
        status: state.status,
        costUsd: state.costUsd,
        ...(state.sandboxIsolation ? { sandboxIsolation: state.sandboxIsolation } : {}),
        ...(state.sandboxStart ? { sandboxStart: state.sandboxStart } : {}),
      },
      new Date(this.now()).toISOString(),
    );
    this.meta.delete("index.behind");
    this.meta.delete("index.failing");
    this.pendingSince = undefined;
    this.indexedIsolation = state.sandboxIsolation ?? null;
    this.indexedStart = state.sandboxStart ?? null;
  }
}
