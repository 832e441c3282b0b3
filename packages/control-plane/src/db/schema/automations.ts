/**
 * Automations (issue 16): a tenant's standing orders that start sessions from an inbound webhook,
 * a schedule or a preset, and the history of their runs. The signing secret is sealed with the
 * tenant's data key (secrets/envelope.ts, scope "automation"); a rotated-out secret keeps working
 * until `previous_secret_until`.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const automations = sqliteTable(
  "automations",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** webhook | schedule | sentry | github_actions (also inside `trigger`, kept apart for queries). */
    triggerKind: text("trigger_kind").notNull(),
    /** JSON of the protocol's AutomationTrigger. */
    trigger: text("trigger").notNull(),
    /** JSON of the protocol's AutomationRepo. */
    repo: text("repo").notNull(),
    agent: text("agent"),
    model: text("model"),
    promptTemplate: text("prompt_template").notNull(),
    filter: text("filter"),
    dedupeKey: text("dedupe_key"),
    maxRunsPerHour: integer("max_runs_per_hour").notNull(),
    maxConcurrent: integer("max_concurrent").notNull(),
    actingUserId: text("acting_user_id")
      .notNull()
      .references(() => users.id),
    pausedReason: text("paused_reason"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** `v1.` + base64(iv ‖ AES-GCM(tenant data key, secret)); null for schedules. */
    secretCiphertext: text("secret_ciphertext"),
    /** The secret rotated out last, accepted until `previous_secret_until` (ISO). */
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretUntil: text("previous_secret_until"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    lastRunAt: text("last_run_at"),
    /** Schedules only, while enabled: the next fire time (ISO, UTC). */
    nextRunAt: text("next_run_at"),
  },
  (t) => [
    index("automations_tenant_idx").on(t.tenantId, t.id),
    // The scheduler finds the schedules due next across tenants.
    index("automations_next_run_idx").on(t.nextRunAt),
  ],
);

export const automationRuns = sqliteTable(
  "automation_runs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    automationId: text("automation_id")
      .notNull()
      .references(() => automations.id, { onDelete: "cascade" }),
    at: text("at").notNull(),
    triggerId: text("trigger_id").notNull(),
    /**
     * The trigger id while this run holds it: a second delivery with the same id conflicts on the
     * unique index and is a duplicate. Null on duplicates and on runs that let it go (failed or
     * rate limited), so the sender's retry of those runs again.
     */
    dedupeKey: text("dedupe_key"),
    /** started | skipped | duplicate | failed | rate_limited */
    outcome: text("outcome").notNull(),
    reason: text("reason"),
    sessionId: text("session_id"),
  },
  (t) => [
    index("automation_runs_newest_idx").on(t.tenantId, t.automationId, t.id),
    uniqueIndex("automation_runs_dedupe_idx").on(t.automationId, t.dedupeKey),
    // "Runs started in the last hour" for the per-automation rate limit.
    index("automation_runs_started_idx").on(t.automationId, t.outcome, t.at),
  ],
);
