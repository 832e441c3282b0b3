/**
 * The analytics report: the range checked and filled in, the three reads made at once, and their
 * rows merged per group and per day. Sessions and pull requests come from the D1 index and the
 * merge records; calls, tokens and dollars from the usage roll-ups.
 */
import {
  ANALYTICS_DEFAULT_DAYS,
  ANALYTICS_MAX_DAYS,
  type AnalyticsDay,
  type AnalyticsFigures,
  type AnalyticsGroupRow,
  type AnalyticsQuery,
  type AnalyticsReport,
} from "@nightshift/protocol";
import type { Database } from "../db/client";
import {
  memberNames,
  mergeCounts,
  type Range,
  type SessionCounts,
  sessionCounts,
  type UsageSums,
  usageSums,
} from "../db/repositories/analytics";
import { AppError } from "../http/app-error";

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

/** The query's range with its defaults; 400 when it is backwards or longer than allowed. */
export function rangeOf(query: AnalyticsQuery, now: Date): Range {
  const to = query.to ?? dayOf(now.getTime());
  const from = query.from ?? dayOf(msOf(to) - (ANALYTICS_DEFAULT_DAYS - 1) * DAY_MS);
  if (from > to) throw new AppError("invalid_request", `from (${from}) is after to (${to})`);
  const days = (msOf(to) - msOf(from)) / DAY_MS + 1;
  if (days > ANALYTICS_MAX_DAYS)
    throw new AppError(
      "invalid_request",
      `the range is ${days} days; a report covers at most ${ANALYTICS_MAX_DAYS} (narrow from/to)`,
    );
  return { from, to };
}

function zero(): AnalyticsFigures {
  return {
    sessions: 0,
    succeeded: 0,
    failed: 0,
    successRate: null,
    prsOpened: 0,
    prsMerged: 0,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costUsd: 0,
  };
}

function addSessions(into: AnalyticsFigures, row: SessionCounts): void {
  into.sessions += row.sessions;
  into.succeeded += row.succeeded;
  into.failed += row.failed;
  into.prsOpened += row.prsOpened;
}

function addUsage(into: AnalyticsFigures, row: UsageSums): void {
  into.calls += row.calls;
  into.inputTokens += row.inputTokens;
  into.outputTokens += row.outputTokens;
  into.cacheReadTokens += row.cacheReadTokens;
  into.cacheCreationTokens += row.cacheCreationTokens;
  into.costUsd += row.costUsd;
}

function withRate(f: AnalyticsFigures): AnalyticsFigures {
  const finished = f.succeeded + f.failed;
  return { ...f, successRate: finished === 0 ? null : f.succeeded / finished };
}

const tokensOf = (r: UsageSums) => r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheCreationTokens;

function dailySeries(range: Range, sessions: SessionCounts[], usage: UsageSums[]): AnalyticsDay[] {
  const days = new Map<string, AnalyticsDay>();
  for (let ms = msOf(range.from); ms <= msOf(range.to); ms += DAY_MS) {
    const day = dayOf(ms);
    days.set(day, { day, sessions: 0, succeeded: 0, failed: 0, tokens: 0, costUsd: 0 });
  }
  for (const r of sessions) {
    const d = days.get(r.day);
    if (!d) continue;
    d.sessions += r.sessions;
    d.succeeded += r.succeeded;
    d.failed += r.failed;
  }
  for (const r of usage) {
    const d = days.get(r.day);
    if (!d) continue;
    d.tokens += tokensOf(r);
    d.costUsd += r.costUsd;
  }
  return [...days.values()];
}

export async function analyticsReport(
  db: Database,
  tenantId: string,
  query: AnalyticsQuery,
  now: Date,
): Promise<AnalyticsReport> {
  const range = rangeOf(query, now);
  const { groupBy } = query;
  const [sessions, merges, usage] = await Promise.all([
    sessionCounts(db, tenantId, range, groupBy),
    mergeCounts(db, tenantId, range, groupBy),
    usageSums(db, tenantId, range, groupBy),
  ]);
  const groups = new Map<string, AnalyticsFigures>();
  const group = (key: string) => {
    const found = groups.get(key);
    if (found) return found;
    const made = zero();
    groups.set(key, made);
    return made;
  };
  const totals = zero();
  for (const row of sessions) {
    addSessions(group(row.key), row);
    addSessions(totals, row);
  }
  for (const [key, merged] of merges) {
    group(key).prsMerged += merged;
    totals.prsMerged += merged;
  }
  for (const row of usage) {
    addUsage(group(row.key), row);
    addUsage(totals, row);
  }
  const names = groupBy === "user" ? await memberNames(db, tenantId, [...groups.keys()]) : new Map();
  const rows: AnalyticsGroupRow[] = [...groups.entries()]
    .map(([key, figures]) => ({ key, label: names.get(key) ?? key, ...withRate(figures) }))
    .sort((a, b) => b.costUsd - a.costUsd || b.sessions - a.sessions || a.key.localeCompare(b.key));
  return {
    ...range,
    groupBy,
    totals: withRate(totals),
    days: dailySeries(range, sessions, usage),
    groups: rows,
  };
}
