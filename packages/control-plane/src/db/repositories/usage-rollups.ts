/**
 * Adds a session's pending model calls (summed in its DO, session/model-calls.ts) to usage_daily:
 * one D1 batch (a transaction) of one upsert per day, user and model, the cursor's move and a read
 * of the cursor. Every statement runs only while the cursor still stands where the DO's flush
 * started (`fromSeq`), so a batch retried after D1 committed it but its answer was lost adds
 * nothing; the DO then takes the cursor it reads back as where it stands, so each call counts once.
 */
import { and, eq, like, sql } from "drizzle-orm";
import type { PendingUsage } from "../../session/model-calls";
import type { Database } from "../client";
import { usageDaily } from "../schema";

export interface RollupSession {
  sessionId: string;
  /** `owner/name` or `local:<path>`. */
  repo: string;
  agent: string;
}

const CURSOR =
  "coalesce((SELECT c.last_usage_rowid FROM usage_rollup_cursors c WHERE c.session_id = ?1 AND c.tenant_id = ?2), 0)";

const ADD_GROUP = `INSERT INTO usage_daily (tenant_id, day, user_id, repo, agent, provider, model, calls,
    input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd)
  SELECT ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15 WHERE ${CURSOR} = ?3
  ON CONFLICT (tenant_id, day, user_id, repo, agent, provider, model) DO UPDATE SET
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
    cost_usd = cost_usd + excluded.cost_usd`;

const MOVE_CURSOR = `INSERT INTO usage_rollup_cursors (session_id, tenant_id, last_usage_rowid)
  SELECT ?1, ?2, ?4 WHERE ${CURSOR} = ?3
  ON CONFLICT (session_id) DO UPDATE SET last_usage_rowid = excluded.last_usage_rowid`;

const READ_CURSOR = `SELECT ${CURSOR} AS seq`;

/**
 * Raw D1 statements (drizzle cannot batch a guarded INSERT … SELECT … ON CONFLICT). Returns the
 * cursor as it stands after the batch: `pending.toSeq` when this batch counted the calls.
 */
export async function rollUpSessionUsage(
  db: Database,
  tenantId: string,
  s: RollupSession,
  pending: PendingUsage,
): Promise<number> {
  const d1 = db.$client;
  const results = await d1.batch<{ seq: number }>([
    ...pending.groups.map((g) =>
      d1
        .prepare(ADD_GROUP)
        .bind(
          s.sessionId,
          tenantId,
          pending.fromSeq,
          g.day,
          g.userId,
          s.repo,
          s.agent,
          g.provider,
          g.model,
          g.calls,
          g.inputTokens,
          g.outputTokens,
          g.cacheReadTokens,
          g.cacheCreationTokens,
          g.costUsd,
        ),
    ),
    d1.prepare(MOVE_CURSOR).bind(s.sessionId, tenantId, pending.fromSeq, pending.toSeq),
    d1.prepare(READ_CURSOR).bind(s.sessionId, tenantId),
  ]);
  return Number(results.at(-1)?.results[0]?.seq ?? 0);
}

/** The tenant's rolled-up spend in one month (`YYYY-MM`, UTC): where the tenant meter's month starts. */
export async function rolledUpMonthUsd(db: Database, tenantId: string, month: string): Promise<number> {
  const [row] = await db
    .select({ usd: sql<number>`coalesce(sum(${usageDaily.costUsd}), 0)` })
    .from(usageDaily)
    .where(and(eq(usageDaily.tenantId, tenantId), like(usageDaily.day, `${month}-%`)));
  return Number(row?.usd ?? 0);
}
