import { index, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    /** JSON of the protocol's RepoRef. */
    repo: text("repo").notNull(),
    agent: text("agent").notNull(),
    model: text("model"),
    status: text("status").notNull(),
    trigger: text("trigger").notNull(),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    branch: text("branch").notNull(),
    costUsd: real("cost_usd").notNull().default(0),
    prUrl: text("pr_url"),
    /** The sandbox provider the session runs on, resolved once when it was created. */
    sandboxProvider: text("sandbox_provider"),
    /** Its latest sandbox's isolation level ("bubblewrap", "vm"...), once one has started. */
    sandboxIsolation: text("sandbox_isolation"),
    /** How its latest sandbox started: "warm" (from a prebuilt snapshot) or "cold" (cloned). */
    sandboxStart: text("sandbox_start"),
    /** The automation that started it (trigger webhook or schedule), and its name at that time. */
    automationId: text("automation_id"),
    automationName: text("automation_name"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("sessions_tenant_id_idx").on(t.tenantId, t.id),
    index("sessions_tenant_status_idx").on(t.tenantId, t.status),
    // GitHub mentions find the session that owns a pull request's branch.
    index("sessions_tenant_branch_idx").on(t.tenantId, t.branch),
    // The scheduled reconciler finds sessions stuck in queued/starting across tenants.
    index("sessions_status_updated_idx").on(t.status, t.updatedAt),
    // An automation's concurrency limit counts its sessions that have not ended.
    index("sessions_tenant_automation_idx").on(t.tenantId, t.automationId, t.status),
  ],
);
