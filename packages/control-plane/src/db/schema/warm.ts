/**
 * Warm start (control-plane src/warm): which repositories a tenant opted in, and per repository
 * and sandbox provider the newest prebuilt snapshot and the state of the latest prebuild.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants, users } from "./tenancy";

export const warmRepositories = sqliteTable(
  "warm_repositories",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** secrets/sandbox-secrets.ts repoKeyOf: `github:owner/name` (lowercase) or `local:path`. */
    repoKey: text("repo_key").notNull(),
    /** JSON of the protocol's RepoRef. */
    repo: text("repo").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** Who turned it on last: prebuilds run as this user (their secrets' visibility). */
    updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.repoKey] })],
);

export const warmSnapshots = sqliteTable(
  "warm_snapshots",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    repoKey: text("repo_key").notNull(),
    provider: text("provider").notNull(),
    /** The latest prebuild: building | ready | failed. */
    state: text("state").notNull(),
    /** Why the latest prebuild failed (shown to admins); null otherwise. */
    reason: text("reason"),
    /** The prebuild session running now (or last). */
    prebuildSessionId: text("prebuild_session_id"),
    buildStartedAt: text("build_started_at"),
    /** The newest snapshot that was built successfully: the provider's ref, its commit, when. */
    ref: text("ref"),
    commit: text("commit"),
    builtAt: text("built_at"),
    /** The default branch's head when a push told us (null: unknown). */
    headCommit: text("head_commit"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.repoKey, t.provider] })],
);
