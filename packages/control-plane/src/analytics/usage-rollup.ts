/**
 * The session DO's part of the usage roll-ups: after a turn ends, after the session ends, and
 * after any call recorded outside a turn (a straggler, or a call long after the session ended) it
 * flushes the session's unflushed model calls (session/model-calls.ts), summed per day, user and
 * model, into usage_daily (db/repositories/usage-rollups.ts) on the `usage.rollup` deadline. So D1
 * sees one roll-up batch per turn, not one write per model call, and a flush that fails is retried
 * with the scheduler's backoff without counting a call twice.
 */
import { type RepoRef, type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Database } from "../db/client";
import { rollUpSessionUsage } from "../db/repositories/usage-rollups";
import type { ModelCallLog } from "../session/model-calls";
import type { Scheduler } from "../session/scheduler";
import type { SessionMeta } from "../session/store";

/**
 * The gateway records a call's usage after its stream ends (waitUntil); the flush waits this long
 * after a turn so the turn's last calls are in. A later call arms a flush of its own.
 */
export const ROLLUP_DELAY_MS = 10_000;

/** A batch that finds D1's cursor elsewhere than the DO's is retried from D1's, at most this often. */
const MAX_CURSOR_CATCH_UPS = 3;

/** How a repository is named in roll-ups and analytics. */
export function repoLabel(repo: RepoRef): string {
  return repo.kind === "github" ? `${repo.owner}/${repo.name}` : `local:${repo.path}`;
}

export class UsageRollup {
  constructor(
    private readonly db: () => Database,
    private readonly calls: ModelCallLog,
    private readonly scheduler: Pick<Scheduler, "set" | "setNoLaterThan">,
    private readonly now: () => number,
  ) {}

  /** A turn ended (running → anything else) or the session ended: flush soon. */
  statusChanged(before: SessionStatus, status: SessionStatus): void {
    const turnEnded = before === "running" && status !== "running";
    if (turnEnded || (TERMINAL_STATUSES.has(status) && !TERMINAL_STATUSES.has(before)))
      this.scheduler.set("usage.rollup", this.now() + ROLLUP_DELAY_MS);
  }

  /** A call was recorded: outside a turn no turn's end will flush it, so this call arms a flush. */
  callRecorded(status: SessionStatus): void {
    if (status !== "running") this.scheduler.setNoLaterThan("usage.rollup", this.now() + ROLLUP_DELAY_MS);
  }

  /** The `usage.rollup` deadline: throws when D1 fails, so the scheduler retries it. */
  async flush(meta: SessionMeta): Promise<void> {
    if (meta.prebuild) return;
    const session = { sessionId: meta.sessionId, repo: repoLabel(meta.repo), agent: meta.agent };
    for (let attempt = 0; attempt < MAX_CURSOR_CATCH_UPS; attempt++) {
      const pending = this.calls.pending();
      if (!pending) return;
      const cursor = await rollUpSessionUsage(this.db(), meta.tenantId, session, pending);
      this.calls.setFlushedSeq(cursor);
      if (cursor === pending.toSeq) return;
    }
    throw new Error("usage roll-up cursor did not settle");
  }
}
