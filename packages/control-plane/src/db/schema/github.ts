/**
 * GitHub App state in D1: installations (each belongs to exactly one tenant), the repositories
 * they grant, and webhook delivery ids seen (replay protection; GitHub signs no timestamp).
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenancy";

export const githubInstallations = sqliteTable("github_installations", {
  /** GitHub's installation id; unique, so an installation can never belong to two tenants. */
  id: integer("id").primaryKey(),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  accountLogin: text("account_login").notNull(),
  createdAt: integer("created_at").notNull(),
  /** The owner who connected it (proved through GitHub that they can access it). */
  linkedBy: text("linked_by"),
});

export const githubRepositories = sqliteTable(
  "github_repositories",
  {
    /** GitHub's repository id (stable across renames). */
    id: integer("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    installationId: integer("installation_id")
      .notNull()
      .references(() => githubInstallations.id, { onDelete: "cascade" }),
    owner: text("owner").notNull(),
    name: text("name").notNull(),
    defaultBranch: text("default_branch"),
  },
  (t) => [index("github_repositories_tenant_name").on(t.tenantId, t.owner, t.name)],
);

/** Not tenant-scoped: a delivery is deduplicated before we know (or even if we never learn) its tenant. */
export const githubWebhookDeliveries = sqliteTable(
  "github_webhook_deliveries",
  {
    deliveryId: text("delivery_id").primaryKey(),
    event: text("event").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  // The scheduled prune deletes by age.
  (t) => [index("github_webhook_deliveries_received_idx").on(t.receivedAt)],
);

/**
 * What a trigger acted on, keyed by the payload (a comment id, an issue's labelling), so the same
 * event delivered again under a new delivery id starts nothing twice. Pruned by age like deliveries.
 */
export const githubTriggerKeys = sqliteTable(
  "github_trigger_keys",
  {
    key: text("key").primaryKey(),
    claimedAt: integer("claimed_at").notNull(),
  },
  (t) => [index("github_trigger_keys_claimed_idx").on(t.claimedAt)],
);
