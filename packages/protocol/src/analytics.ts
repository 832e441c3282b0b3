/**
 * GET /api/v1/tenants/:tenantId/analytics (and analytics.csv): sessions, their success, pull
 * requests opened and merged, and model usage (calls, tokens, dollars) over a range of UTC days,
 * per day and grouped by user, repository, agent or model.
 */
import { z } from "zod";

export const ANALYTICS_GROUPS = ["user", "repo", "agent", "model"] as const;
export const AnalyticsGroup = z.enum(ANALYTICS_GROUPS);
export type AnalyticsGroup = z.infer<typeof AnalyticsGroup>;

/** The longest range one report covers. */
export const ANALYTICS_MAX_DAYS = 366;
/** The range when none is given: the last 30 days, today included. */
export const ANALYTICS_DEFAULT_DAYS = 30;

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "is not a calendar day",
  );

export const AnalyticsQuery = z.strictObject({
  /** First day, UTC, included (default: 29 days before `to`). */
  from: Day.optional(),
  /** Last day, UTC, included (default: today). */
  to: Day.optional(),
  groupBy: AnalyticsGroup.default("user"),
});
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

const Count = z.number().int().nonnegative();

export const AnalyticsFigures = z.object({
  /** Sessions started in the range. */
  sessions: Count,
  /** Of those, finished (idle, paused, stopped, completed or failed) without failing. */
  succeeded: Count,
  failed: Count,
  /** succeeded / (succeeded + failed); null when none has finished. */
  successRate: z.number().min(0).max(1).nullable(),
  /** Sessions started in the range that opened a pull request. */
  prsOpened: Count,
  /** Sessions' pull requests merged in the range (GitHub `pull_request` closed+merged). */
  prsMerged: Count,
  /** Model calls through the gateway on the range's days, and their tokens and cost. */
  calls: Count,
  inputTokens: Count,
  outputTokens: Count,
  cacheReadTokens: Count,
  cacheCreationTokens: Count,
  costUsd: z.number().nonnegative(),
});
export type AnalyticsFigures = z.infer<typeof AnalyticsFigures>;

export const AnalyticsGroupRow = AnalyticsFigures.extend({
  /** The user id, `owner/name` or `local:<path>`, agent or model. */
  key: z.string(),
  /** What a person reads: a user's name, otherwise the key. */
  label: z.string(),
});
export type AnalyticsGroupRow = z.infer<typeof AnalyticsGroupRow>;

export const AnalyticsDay = z.object({
  day: z.string(),
  sessions: Count,
  succeeded: Count,
  failed: Count,
  tokens: Count,
  costUsd: z.number().nonnegative(),
});
export type AnalyticsDay = z.infer<typeof AnalyticsDay>;

export const AnalyticsReport = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: AnalyticsGroup,
  totals: AnalyticsFigures,
  /** Every day of the range, in order (days without activity hold zeros). */
  days: z.array(AnalyticsDay),
  /** Costliest first. */
  groups: z.array(AnalyticsGroupRow),
});
export type AnalyticsReport = z.infer<typeof AnalyticsReport>;
