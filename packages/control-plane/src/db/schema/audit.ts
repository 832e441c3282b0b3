/** The audit log: who did what to which resource, per tenant, append-only. */
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenancy";

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    actorType: text("actor_type", { enum: ["user", "api_key", "system"] }).notNull(),
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    /** JSON object of scalars; never a secret value or a key. */
    detail: text("detail").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("audit_log_tenant_idx").on(t.tenantId, t.id)],
);
