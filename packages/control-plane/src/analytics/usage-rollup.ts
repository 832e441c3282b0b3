/**
 * The session DO's part of the usage roll-ups: after a turn ends and after the session ends it
 * flushes the session's new model_usage rows into usage_daily (db/repositories/usage-rollups.ts),
 * on the `usage.rollup` deadline. So D1 sees one roll-up batch per turn, not one write per model
 * call, and a flush that fails is retried with the scheduler's backoff.
 */
import { type RepoRef, type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Database } from "../db/client";
import { rollUpSessionUsage } from "../db/repositories/usage-rollups";
import type { Scheduler } from "../session/scheduler";
import type { SessionMeta } from "../session/store";

/**
 * The gateway records a call's usage after its stream ends (waitUntil); the flush waits this long
 * after a turn so the turn's last calls are in. A later straggler goes into the next flush.
 */
export const ROLLUP_DELAY_MS = 10_000;

/** How a repository is named in roll-ups and analytics. */
export function repoLabel(repo: RepoRef): string {
  return repo.kind === "github" ? `${repo.owner}/${repo.name}` : `local:${repo.path}`;
}

export class UsageRollup {
  constructor(
    private readonly db: () => Database,
    private readonly scheduler: Pick<Scheduler, "set">,
    private readonly now: () => number,
  ) {}

  /** A turn ended (running → anything else) or the session ended: flush soon. */
  statusChanged(before: SessionStatus, status: SessionStatus): void {
    const turnEnded = before === "running" && status !== "running";
    if (turnEnded || (TERMINAL_STATUSES.has(status) && !TERMINAL_STATUSES.has(before)))
      this.scheduler.set("usage.rollup", this.now() + ROLLUP_DELAY_MS);
  }

  /** The `usage.rollup` deadline: throws when D1 fails, so the scheduler retries it. */
  async flush(meta: SessionMeta): Promise<void> {
    if (meta.prebuild) return;
    await rollUpSessionUsage(this.db(), meta.tenantId, {
      sessionId: meta.sessionId,
      repo: repoLabel(meta.repo),
      agent: meta.agent,
    });
  }
}
