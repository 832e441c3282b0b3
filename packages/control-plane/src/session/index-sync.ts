/**
 * Keeps the D1 sessions index (what listing and the Worker read) in step with the DO, which
 * holds the truth. A write that fails is not lost: the DO remembers that the index is behind
 * and an `index.sync` deadline writes the whole current state again, with the scheduler's
 * backoff, until D1 takes it.
 */
import type { SessionStatus } from "@nightshift/protocol";
import type { Database } from "../db/client";
import { updateSession } from "../db/repositories/sessions";
import type { MetaStore } from "./meta-store";
import type { Scheduler } from "./scheduler";
import { retryDelay } from "./scheduler";
import type { SessionMeta } from "./store";

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

  constructor(
    private readonly db: () => Database,
    private readonly meta: MetaStore,
    private readonly scheduler: Pick<Scheduler, "set" | "has">,
    private readonly now: () => number,
  ) {}

  /** True while a write to the index has failed and not yet been repeated successfully. */
  get behind(): boolean {
    return this.meta.get("index.behind") !== null;
  }

  /**
   * Writes the session's status (and cost) to D1 when something changed. Never throws: a failure
   * marks the index behind and schedules `index.sync` ("retry"), which alone retries until D1
   * takes it (so a D1 outage costs one failed call per change, not one per settle).
   */
  async syncAfterChange(meta: SessionMeta, state: IndexState, changed: boolean): Promise<"synced" | "retry"> {
    const isolationNew = Boolean(state.sandboxIsolation) && state.sandboxIsolation !== this.indexedIsolation;
    const startNew = Boolean(state.sandboxStart) && state.sandboxStart !== this.indexedStart;
    if (!changed && !isolationNew && !startNew) return "synced";
    try {
      await this.write(meta, state);
      return "synced";
    } catch (error) {
      this.meta.set("index.behind", true);
      if (!this.scheduler.has("index.sync")) this.scheduler.set("index.sync", this.now() + retryDelay(1));
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

  /** The `index.sync` deadline's work: throws on failure so the scheduler retries with backoff. */
  async retry(meta: SessionMeta, state: IndexState): Promise<void> {
    if (!this.behind) return;
    await this.write(meta, state);
  }

  /** Writes the current state unconditionally (the reconciler's repair); throws on failure. */
  async write(meta: SessionMeta, state: IndexState): Promise<void> {
    await updateSession(
      this.db(),
      meta.tenantId,
      meta.sessionId,
      {
        status: state.status,
        costUsd: state.costUsd,
        ...(state.sandboxIsolation ? { sandboxIsolation: state.sandboxIsolation } : {}),
        ...(state.sandboxStart ? { sandboxStart: state.sandboxStart } : {}),
      },
      new Date(this.now()).toISOString(),
    );
    this.meta.delete("index.behind");
    this.indexedIsolation = state.sandboxIsolation ?? null;
    this.indexedStart = state.sandboxStart ?? null;
  }
}
