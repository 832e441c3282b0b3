/**
 * Analytics reads over one tenant's D1 rows (sessions, session_pull_merges, usage_daily), summed
 * per group key and day, and the merge record the GitHub webhook writes. Every statement names its
 * tenant. The grouping expressions come from the fixed table below, never from the request.
 */
import type { AnalyticsGroup } from "@nightshift/protocol";
import type { Database } from "../client";

/** The group key over a sessions row (alias s). */
const SESSION_KEY: Record<AnalyticsGroup, string> = {
  user: "s.created_by",
  repo: `CASE json_extract(s.repo, '$.kind') WHEN 'github'
      THEN json_extract(s.repo, '$.owner') || '/' || json_extract(s.repo, '$.name')
      ELSE 'local:' || json_extract(s.repo, '$.path') END`,
  agent: "s.agent",
  model: "coalesce(s.model, '(agent default)')",
};

/** The group key over a usage_daily row (alias u). */
const USAGE_KEY: Record<AnalyticsGroup, string> = {
  user: "u.user_id",
  repo: "u.repo",
  agent: "u.agent",
  model: "u.model",
};

const FINISHED_OK = "s.status IN ('idle', 'paused', 'stopped', 'completed')";

export interface Range {
  /** First day, `YYYY-MM-DD`, included. */
  from: string;
  /** Last day, included. */
  to: string;
}

/** ISO timestamps: from the first day's midnight up to (not including) the day after the last. */
function instants(range: Range): [string, string] {
  const end = new Date(`${range.to}T00:00:00.000Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return [`${range.from}T00:00:00.000Z`, end.toISOString()];
}

export interface SessionCounts {
  key: string;
  day: string;
  sessions: number;
  succeeded: number;
  failed: number;
  prsOpened: number;
}

export async function sessionCounts(
  db: Database,
  tenantId: string,
  range: Range,
  groupBy: AnalyticsGroup,
): Promise<SessionCounts[]> {
  const [start, end] = instants(range);
  const { results } = await db.$client
    .prepare(
      `SELECT ${SESSION_KEY[groupBy]} AS key, substr(s.created_at, 1, 10) AS day, count(*) AS sessions,
         sum(${FINISHED_OK}) AS succeeded, sum(s.status = 'failed') AS failed,
         sum(s.pr_url IS NOT NULL) AS prsOpened
       FROM sessions s
       WHERE s.tenant_id = ?1 AND s.created_at >= ?2 AND s.created_at < ?3
       GROUP BY key, day`,
    )
    .bind(tenantId, start, end)
    .all<SessionCounts>();
  return results.map((r) => ({
    key: String(r.key),
    day: String(r.day),
    sessions: Number(r.sessions),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    prsOpened: Number(r.prsOpened),
  }));
}

export async function mergeCounts(
  db: Database,
  tenantId: string,
  range: Range,
  groupBy: AnalyticsGroup,
): Promise<Map<string, number>> {
  const [start, end] = instants(range);
  const { results } = await db.$client
    .prepare(
      `SELECT ${SESSION_KEY[groupBy]} AS key, count(*) AS merged
       FROM session_pull_merges m JOIN sessions s ON s.id = m.session_id AND s.tenant_id = m.tenant_id
       WHERE m.tenant_id = ?1 AND m.merged_at >= ?2 AND m.merged_at < ?3
       GROUP BY key`,
    )
    .bind(tenantId, start, end)
    .all<{ key: string; merged: number }>();
  return new Map(results.map((r) => [String(r.key), Number(r.merged)]));
}

export interface UsageSums {
  key: string;
  day: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd: number;
}

export async function usageSums(
  db: Database,
  tenantId: string,
  range: Range,
  groupBy: AnalyticsGroup,
): Promise<UsageSums[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT ${USAGE_KEY[groupBy]} AS key, u.day AS day, sum(u.calls) AS calls,
         sum(u.input_tokens) AS inputTokens, sum(u.output_tokens) AS outputTokens,
         sum(u.cache_read_tokens) AS cacheReadTokens, sum(u.cache_creation_tokens) AS cacheCreationTokens,
         sum(u.cost_usd) AS costUsd
       FROM usage_daily u
       WHERE u.tenant_id = ?1 AND u.day >= ?2 AND u.day <= ?3
       GROUP BY key, day`,
    )
    .bind(tenantId, range.from, range.to)
    .all<UsageSums>();
  return results.map((r) => ({
    key: String(r.key),
    day: String(r.day),
    calls: Number(r.calls),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    cacheReadTokens: Number(r.cacheReadTokens),
    cacheCreationTokens: Number(r.cacheCreationTokens),
    costUsd: Number(r.costUsd),
  }));
}

/** Display names of the tenant's members among `ids` (a departed user keeps their id as label). */
export async function memberNames(
  db: Database,
  tenantId: string,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { results } = await db.$client
    .prepare(
      `SELECT u.id AS id, u.name AS name, u.login AS login FROM users u
       JOIN memberships m ON m.user_id = u.id AND m.tenant_id = ?1
       WHERE u.id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(tenantId, JSON.stringify(ids))
    .all<{ id: string; name: string; login: string }>();
  return new Map(results.map((r) => [r.id, r.name || r.login]));
}

export async function recordSessionPullMerge(
  db: Database,
  tenantId: string,
  merge: { sessionId: string; pullNumber: number; mergedAt: string },
): Promise<void> {
  await db.$client
    .prepare(
      `INSERT INTO session_pull_merges (session_id, tenant_id, pull_number, merged_at)
       SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND tenant_id = ?2)
       ON CONFLICT (session_id) DO NOTHING`,
    )
    .bind(merge.sessionId, tenantId, merge.pullNumber, merge.mergedAt)
    .run();
}
