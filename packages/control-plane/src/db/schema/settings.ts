/** Per-tenant settings that owners and admins edit (members read them). */
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const tenantSettings = sqliteTable("tenant_settings", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  /** JSON array of EgressHostPattern: hosts the tenant's sandboxes may reach beyond the defaults. */
  egressAllowHosts: text("egress_allow_hosts").notNull().default("[]"),
  /** JSON of the protocol's ModelSettings: the model gateway's upstream base URL per provider. */
  modelSettings: text("model_settings").notNull().default("{}"),
  /** JSON of the protocol's BudgetSettings: caps on the model gateway's spend. */
  budgetSettings: text("budget_settings").notNull().default("{}"),
  /** JSON of the protocol's SandboxSettings: the tenant's sandbox provider and per-repository overrides. */
  sandboxSettings: text("sandbox_settings").notNull().default("{}"),
  /** JSON of the protocol's AgentDefaults: the tenant's default agent and default model per agent. */
  agentSettings: text("agent_settings").notNull().default("{}"),
  updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: text("updated_at").notNull(),
});
