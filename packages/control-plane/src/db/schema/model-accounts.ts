/**
 * A user's own model accounts, one per provider in each tenant they belong to. The value is sealed
 * with the tenant's data key (the secrets envelope) under associated data naming tenant, user,
 * provider and kind, so a row copied to another user, tenant, provider or kind does not open.
 */
import { sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const userModelAccounts = sqliteTable(
  "user_model_accounts",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** anthropic | openai | gemini */
    provider: text("provider").notNull(),
    /** api_key | subscription_token */
    kind: text("kind").notNull(),
    /** `v1.` + base64(iv ‖ AES-GCM(tenant data key, value)) with AAD tenant|user|<userId>|<provider>.<kind>. */
    ciphertext: text("ciphertext").notNull(),
    /** The last four characters (or nothing for a short value), for the list. */
    hint: text("hint").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("user_model_accounts_identity_idx").on(t.tenantId, t.userId, t.provider)],
);
