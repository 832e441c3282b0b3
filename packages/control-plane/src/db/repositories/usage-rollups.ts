/**
 * Rolls a session's new model_usage rows into usage_daily: one D1 batch (a transaction) of two
 * statements, whatever the number of calls. The first adds every row past the session's cursor,
 * grouped per day and model, onto the day's totals; the second moves the cursor to the last row
 * added. Both read the same rows inside the transaction, so a row is counted exactly once, and
 * a row the gateway writes later (its usage is recorded after the stream ends) has a higher rowid
 * and is picked up by the next flush.
 */
import type { Database } from "../client";

export interface RollupSession {
  sessionId: string;
  /** `owner/name` or `local:<path>`. */
  repo: string;
  agent: string;
}

/** Rows of the session's usage not yet rolled up: model_usage (alias mu) past the session's cursor. */
const PENDING_ROWS = `mu.tenant_id = ?1 AND mu.session_id = ?2 AND mu.rowid > coalesce(
  (SELECT c.last_usage_rowid FROM usage_rollup_cursors c WHERE c.session_id = ?2 AND c.tenant_id = ?1), 0)`;

const ADD_PENDING = `INSERT INTO usage_daily (tenant_id, day, user_id, repo, agent, provider, model, calls,
    input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd)
  SELECT mu.tenant_id, substr(mu.created_at, 1, 10), mu.user_id, ?3, ?4, mu.provider, mu.model, count(*),
    sum(mu.input_tokens), sum(mu.output_tokens), sum(mu.cache_read_tokens), sum(mu.cache_creation_tokens),
    sum(mu.cost_usd)
  FROM model_usage mu
  WHERE ${PENDING_ROWS}
  GROUP BY mu.tenant_id, substr(mu.created_at, 1, 10), mu.user_id, mu.provider, mu.model
  ON CONFLICT (tenant_id, day, user_id, repo, agent, provider, model) DO UPDATE SET
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
    cost_usd = cost_usd + excluded.cost_usd`;

const MOVE_CURSOR = `INSERT INTO usage_rollup_cursors (session_id, tenant_id, last_usage_rowid)
  SELECT ?2, ?1, last FROM (SELECT max(mu.rowid) AS last FROM model_usage mu WHERE ${PENDING_ROWS})
  WHERE last IS NOT NULL
  ON CONFLICT (session_id) DO UPDATE SET last_usage_rowid = excluded.last_usage_rowid`;

/** Raw D1 statements: drizzle cannot batch an INSERT … SELECT … ON CONFLICT with a grouped select. */
export async function rollUpSessionUsage(db: Database, tenantId: string, s: RollupSession): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1.prepare(ADD_PENDING).bind(tenantId, s.sessionId, s.repo, s.agent),
    d1.prepare(MOVE_CURSOR).bind(tenantId, s.sessionId),
  ]);
}
