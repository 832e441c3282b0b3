/**
 * Linear state in D1: the workspace (organization) each tenant installed the app into (one
 * organization → one tenant; its access and refresh tokens sealed with the tenant's envelope),
 * which Linear user is which Nightshift member, a team's default repository, and which Linear agent
 * session each Linear-started session answers.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sessions } from "./sessions";
import { tenants, users } from "./tenancy";

export const linearInstallations = sqliteTable(
  "linear_installations",
  {
    /** Linear's organization id; the primary key, so an organization can never belong to two tenants. */
    organizationId: text("organization_id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    organizationName: text("organization_name").notNull(),
    /** The app's own user in the organization (delegations and assignments name it). */
    appUserId: text("app_user_id").notNull(),
    /** The OAuth access token, sealed with the tenant's data key (secrets/envelope.ts). */
    accessToken: text("access_token").notNull(),
    /** The refresh token, sealed; null for apps Linear issued no refresh token to. */
    refreshToken: text("refresh_token"),
    /** When the access token expires (epoch ms); null when Linear named no lifetime. */
    expiresAt: integer("expires_at"),
    installedBy: text("installed_by").references(() => users.id, { onDelete: "set null" }),
    installedAt: integer("installed_at").notNull(),
  },
  (t) => [index("linear_installations_tenant_idx").on(t.tenantId)],
);

/**
 * Which Nightshift member a Linear user acts as, bound once through the "connect your account"
 * link (integrations/account-links.ts). Forgotten with the organization's installation.
 */
export const linearUserLinks = sqliteTable(
  "linear_user_links",
  {
    organizationId: text("organization_id")
      .notNull()
      .references(() => linearInstallations.organizationId, { onDelete: "cascade" }),
    linearUserId: text("linear_user_id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    linkedAt: integer("linked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.linearUserId] })],
);

/**
 * A team's default repository, the tenant's own setting: kept per tenant (Linear team ids are
 * UUIDs), so an admin may map teams before connecting and a reconnect keeps the mappings.
 */
export const linearTeamRepositories = sqliteTable(
  "linear_team_repositories",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    teamId: text("team_id").notNull(),
    owner: text("owner").notNull(),
    name: text("name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.teamId] })],
);

export const linearAgentSessions = sqliteTable(
  "linear_agent_sessions",
  {
    /** Linear's agent session id (or `issue:<id>` for a plain assignment, which has none). */
    agentSessionId: text("agent_session_id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    issueId: text("issue_id").notNull(),
    /** The issue's human identifier (ENG-123) and URL, for the dashboard's link back. */
    issueIdentifier: text("issue_identifier"),
    issueUrl: text("issue_url"),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
  },
  (t) => [index("linear_agent_sessions_session_idx").on(t.tenantId, t.sessionId)],
);
