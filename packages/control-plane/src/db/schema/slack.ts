/**
 * Slack state in D1: the workspace each tenant installed the app into (one workspace → one
 * tenant, its bot token sealed with the tenant's envelope), which Slack user is which Nightshift
 * member, a channel's default repository, and which thread each Slack-started session answers in.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sessions } from "./sessions";
import { tenants, users } from "./tenancy";

export const slackInstallations = sqliteTable(
  "slack_installations",
  {
    /** Slack's workspace (team) id; the primary key, so a workspace can never belong to two tenants. */
    teamId: text("team_id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    teamName: text("team_name").notNull(),
    botUserId: text("bot_user_id").notNull(),
    /** The bot token (xoxb-…), sealed with the tenant's data key (secrets/envelope.ts). */
    botToken: text("bot_token").notNull(),
    installedBy: text("installed_by").references(() => users.id, { onDelete: "set null" }),
    installedAt: integer("installed_at").notNull(),
  },
  (t) => [index("slack_installations_tenant_idx").on(t.tenantId)],
);

export const slackUserLinks = sqliteTable(
  "slack_user_links",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => slackInstallations.teamId, { onDelete: "cascade" }),
    slackUserId: text("slack_user_id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    linkedAt: integer("linked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.slackUserId] })],
);

export const slackChannelRepositories = sqliteTable(
  "slack_channel_repositories",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => slackInstallations.teamId, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    owner: text("owner").notNull(),
    name: text("name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.channelId] })],
);

export const slackThreads = sqliteTable(
  "slack_threads",
  {
    teamId: text("team_id").notNull(),
    channelId: text("channel_id").notNull(),
    threadTs: text("thread_ts").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.channelId, t.threadTs] }),
    index("slack_threads_session_idx").on(t.tenantId, t.sessionId),
  ],
);
