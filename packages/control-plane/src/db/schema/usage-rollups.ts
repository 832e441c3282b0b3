/**
 * Usage roll-ups for analytics: the gateway's model calls summed per tenant, day (UTC), user,
 * repository, agent and model. A session's DO keeps its calls and adds the new ones at each turn's
 * end, when it ends and after a later call (analytics/usage-rollup.ts): one D1 batch per flush, not
 * one write per model call. The cursor says which of the session's calls are already counted, so a
 * flush never counts one twice.
 */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sessions } from "./sessions";
import { tenants } from "./tenancy";

export const usageDaily = sqliteTable(
  "usage_daily",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** `YYYY-MM-DD` (UTC) of the model calls. */
    day: text("day").notNull(),
    /** The session's creator; not a foreign key, so a departed user's usage stays on the books. */
    userId: text("user_id").notNull(),
    /** `owner/name` for GitHub, `local:<path>` for a local repository. */
    repo: text("repo").notNull(),
    agent: text("agent").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    calls: integer("calls").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    cacheCreationTokens: integer("cache_creation_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day, t.userId, t.repo, t.agent, t.provider, t.model] })],
);

export const usageRollupCursors = sqliteTable("usage_rollup_cursors", {
  sessionId: text("session_id")
    .primaryKey()
    .references(() => sessions.id, { onDelete: "cascade" }),
  tenantId: text("tenant_id").notNull(),
  /** The highest call sequence number of the session's DO (session/model-calls.ts) already in usage_daily. */
  lastUsageRowid: integer("last_usage_rowid").notNull(),
});

/** A session's pull request merged on GitHub (from `pull_request` closed+merged webhooks). */
export const sessionPullMerges = sqliteTable(
  "session_pull_merges",
  {
    sessionId: text("session_id")
      .primaryKey()
      .references(() => sessions.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    pullNumber: integer("pull_number").notNull(),
    mergedAt: text("merged_at").notNull(),
  },
  (t) => [index("session_pull_merges_tenant_merged_idx").on(t.tenantId, t.mergedAt)],
);
