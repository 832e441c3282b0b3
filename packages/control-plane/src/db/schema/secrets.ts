/** Envelope-encrypted secrets: one wrapped data key per tenant, and values sealed under it. */
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const tenantDataKeys = sqliteTable("tenant_data_keys", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  /** Which master key wrapped `wrappedKey`; rotation rewrites both, never the sealed values. */
  kid: text("kid").notNull(),
  /** base64(iv ‖ AES-GCM(master key, data key)), bound to the tenant and kid by associated data. */
  wrappedKey: text("wrapped_key").notNull(),
  createdAt: text("created_at").notNull(),
  rotatedAt: text("rotated_at"),
});

export const secrets = sqliteTable(
  "secrets",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    scope: text("scope", { enum: ["tenant", "repo"] }).notNull(),
    /** The RepoKey for repository secrets, "" for tenant-wide ones (so the unique index holds). */
    repoKey: text("repo_key").notNull(),
    name: text("name").notNull(),
    /** `v1.` + base64(iv ‖ AES-GCM(data key, value)) with AAD tenant|scope|repo|name. */
    ciphertext: text("ciphertext").notNull(),
    /** Injected only into sessions started by an owner or admin; members' sessions never get it. */
    adminOnly: integer("admin_only", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("secrets_identity_idx").on(t.tenantId, t.scope, t.repoKey, t.name)],
);
