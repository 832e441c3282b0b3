/** Tenants, users, who belongs where, and the credentials people sign in with (sessions, API keys). */

import { ROLES } from "@nightshift/protocol";
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull().default(now),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    login: text("login").notNull().unique(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    /** GitHub's numeric user id: stable across login renames, so sign-in matches on it. Null for dev users. */
    githubId: integer("github_id"),
    avatarUrl: text("avatar_url"),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("users_github_id_unique").on(t.githubId)],
);

export const memberships = sqliteTable(
  "memberships",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/** One row per browser sign-in; the session cookie's JWT names it, so logout can revoke it. */
export const authSessions = sqliteTable(
  "auth_sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    method: text("method", { enum: ["github", "dev"] }).notNull(),
    createdAt: text("created_at").notNull(),
    /** Absolute end: refreshes never extend a sign-in past this. */
    expiresAt: text("expires_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("auth_sessions_user_idx").on(t.userId)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The member who created the key: the key never acts above that member's current role. */
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    /** SHA-256 (hex) of the whole key; the key itself is never stored. */
    hash: text("hash").notNull().unique(),
    role: text("role", { enum: ROLES }).notNull(),
    /**
     * Null: the whole API at `role`. "automations:trigger" (any automation of the tenant) or
     * "automations:trigger:<id>" (that one): only POST /webhooks/in/:id, refused on /api/v1.
     */
    scope: text("scope"),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    expiresAt: text("expires_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_keys_tenant_idx").on(t.tenantId, t.id)],
);

/**
 * A signed-in user's GitHub token, kept only so the pull requests of their sessions are opened as
 * them. Envelope-encrypted (its own data key, wrapped by the master keyring, bound to the user
 * id); dropped at logout and never kept past GitHub's expiry (8 h for App user tokens).
 */
export const githubUserTokens = sqliteTable("github_user_tokens", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  kid: text("kid").notNull(),
  wrappedKey: text("wrapped_key").notNull(),
  ciphertext: text("ciphertext").notNull(),
  /** Epoch ms. */
  expiresAt: integer("expires_at").notNull(),
  createdAt: text("created_at").notNull(),
});
