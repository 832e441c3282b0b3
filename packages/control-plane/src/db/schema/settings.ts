/** Per-tenant settings that owners and admins edit (members read them). */
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const tenantSettings = sqliteTable("tenant_settings", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  /** JSON array of EgressHostPattern: hosts the tenant's sandboxes may reach beyond the defaults. */
  egressAllowHosts: text("egress_allow_hosts").notNull().default("[]"),
  updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: text("updated_at").notNull(),
});
