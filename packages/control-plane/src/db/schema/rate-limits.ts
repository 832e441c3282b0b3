/** GCRA rate-limit state: one theoretical arrival time per tenant and bucket. */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenancy";

export const rateLimits = sqliteTable(
  "rate_limits",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** e.g. `session_create:tenant`, `session_create:key:<id>`, `webhook:tenant`. */
    bucket: text("bucket").notNull(),
    /** Theoretical arrival time in epoch milliseconds. */
    tat: integer("tat").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.bucket] })],
);
