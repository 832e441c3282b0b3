/** One row per model call the gateway forwarded: tokens and cost, attributed to session, tenant and user. */
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sessions } from "./sessions";
import { tenants } from "./tenancy";

export const modelUsage = sqliteTable(
  "model_usage",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    /** The session's creator; not a foreign key, so a departed user's spend stays on the books. */
    userId: text("user_id").notNull(),
    /** anthropic | openai | gemini */
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    /** The upstream's HTTP status. */
    status: integer("status").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    cacheCreationTokens: integer("cache_creation_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    /** Whose credential the call used: user | tenant | deployment | none (null: recorded before this was). */
    accountSource: text("account_source"),
    /** `YYYY-MM` (UTC) of createdAt: month-to-date spend is one indexed range. */
    month: text("month").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("model_usage_tenant_session_idx").on(t.tenantId, t.sessionId),
    index("model_usage_tenant_month_idx").on(t.tenantId, t.month),
  ],
);
