/**
 * `nightshift login` by browser (RFC 8628 device authorization). One row per sign-in attempt:
 * both codes are stored as SHA-256 hashes only, a row lives minutes, and it is used once. It has
 * no tenant until a signed-in user approves it for one; the API key is minted when the CLI
 * collects it, so no key material is ever stored here.
 */
import { ROLES } from "@nightshift/protocol";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const DEVICE_AUTH_STATUSES = ["pending", "approved", "denied", "consumed"] as const;

export const deviceAuthorizations = sqliteTable(
  "device_authorizations",
  {
    id: text("id").primaryKey(),
    /** SHA-256 (hex) of the device code the CLI polls with. */
    deviceCodeHash: text("device_code_hash").notNull().unique(),
    /** SHA-256 (hex) of the normalized user code the person types in the browser. */
    userCodeHash: text("user_code_hash").notNull().unique(),
    /** What the CLI said it is ("nightshift CLI on host"): shown to the approver, never trusted. */
    clientName: text("client_name").notNull(),
    /** SHA-256 of the requesting address: start requests are limited per address. */
    requesterHash: text("requester_hash").notNull(),
    status: text("status", { enum: DEVICE_AUTH_STATUSES }).notNull(),
    /** The polling interval in seconds; raised by 5 each time the CLI polls too fast. */
    intervalSeconds: integer("interval_seconds").notNull(),
    /** Epoch milliseconds of the last poll. */
    lastPolledAt: integer("last_polled_at"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    /** Set on approval: the tenant, approving user and role the minted key gets. */
    tenantId: text("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }),
    keyExpiresInDays: integer("key_expires_in_days"),
    decidedAt: text("decided_at"),
  },
  (t) => [
    index("device_authorizations_requester_idx").on(t.requesterHash, t.createdAt),
    index("device_authorizations_expiry_idx").on(t.expiresAt),
  ],
);
