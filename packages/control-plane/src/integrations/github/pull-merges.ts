/**
 * A merged pull request, for analytics: when its head branch is a session's branch in the same
 * repository (the router already dropped forks), the session's PR counts as merged. Idempotent:
 * a redelivered merge changes nothing.
 */
import type { Database } from "../../db/client";
import { recordSessionPullMerge } from "../../db/repositories/analytics";
import { findSessionByBranch } from "../../db/repositories/sessions";
import type { WebhookAction } from "../../github/webhook-router";
import type { TriggerLog } from "./triggers";

export async function recordPullMerged(
  db: Database,
  tenantId: string,
  action: Extract<WebhookAction, { kind: "pull.merged" }>,
  log: TriggerLog,
): Promise<void> {
  const repo = { kind: "github" as const, owner: action.repo.owner, name: action.repo.name };
  const session = await findSessionByBranch(db, tenantId, repo, action.headRef);
  if (!session) {
    log.info(`pull request #${action.number} merged from ${action.headRef}: no session's branch`);
    return;
  }
  const mergedAt = action.mergedAt && !Number.isNaN(Date.parse(action.mergedAt)) ? action.mergedAt : null;
  await recordSessionPullMerge(db, tenantId, {
    sessionId: session.id,
    pullNumber: action.number,
    mergedAt: new Date(mergedAt ?? Date.now()).toISOString(),
  });
}
