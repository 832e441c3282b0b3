/**
 * Slack state in D1. Everything is scoped by tenant except `findSlackInstallation`, which is how
 * a verified event learns its tenant from the workspace it came from.
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { slackChannelRepositories, slackInstallations, slackThreads, slackUserLinks } from "../schema";

export type SlackInstallationRow = typeof slackInstallations.$inferSelect;

/** Events: the installation (and so the tenant) of a workspace, or null when none installed it. */
export async function findSlackInstallation(
  db: Database,
  teamId: string,
): Promise<SlackInstallationRow | null> {
  return (
    (await db.query.slackInstallations.findFirst({ where: eq(slackInstallations.teamId, teamId) })) ?? null
  );
}

export async function findTenantSlackInstallation(
  db: Database,
  tenantId: string,
): Promise<SlackInstallationRow | null> {
  return (
    (await db.query.slackInstallations.findFirst({ where: eq(slackInstallations.tenantId, tenantId) })) ??
    null
  );
}

/**
 * Stores a workspace's installation for a tenant, replacing the tenant's own earlier one (a
 * reinstall rotates the token). A workspace another tenant holds is "taken" and nothing changes.
 */
export async function saveSlackInstallation(
  db: Database,
  tenantId: string,
  input: Omit<SlackInstallationRow, "tenantId">,
): Promise<"saved" | "taken"> {
  const row: SlackInstallationRow = { ...input, tenantId };
  const existing = await findSlackInstallation(db, row.teamId);
  if (existing && existing.tenantId !== row.tenantId) return "taken";
  const previous = await findTenantSlackInstallation(db, row.tenantId);
  if (previous && previous.teamId !== row.teamId)
    await db
      .delete(slackInstallations)
      .where(
        and(eq(slackInstallations.tenantId, row.tenantId), eq(slackInstallations.teamId, previous.teamId)),
      );
  const inserted = await db
    .insert(slackInstallations)
    .values(row)
    .onConflictDoUpdate({
      target: slackInstallations.teamId,
      set: {
        teamName: row.teamName,
        botUserId: row.botUserId,
        botToken: row.botToken,
        installedBy: row.installedBy,
        installedAt: row.installedAt,
      },
      // The conflict update only applies to this tenant's own row: a race with another tenant loses.
      setWhere: eq(slackInstallations.tenantId, row.tenantId),
    })
    .returning({ teamId: slackInstallations.teamId });
  return inserted.length > 0 ? "saved" : "taken";
}

/** Removes the workspace's installation (its links, channel defaults follow by cascade). */
export async function deleteSlackInstallation(
  db: Database,
  tenantId: string,
  teamId: string,
): Promise<boolean> {
  const gone = await db
    .delete(slackInstallations)
    .where(and(eq(slackInstallations.tenantId, tenantId), eq(slackInstallations.teamId, teamId)))
    .returning({ teamId: slackInstallations.teamId });
  return gone.length > 0;
}

export async function findSlackUserLink(
  db: Database,
  tenantId: string,
  teamId: string,
  slackUserId: string,
): Promise<string | null> {
  const row = await db.query.slackUserLinks.findFirst({
    where: and(
      eq(slackUserLinks.tenantId, tenantId),
      eq(slackUserLinks.teamId, teamId),
      eq(slackUserLinks.slackUserId, slackUserId),
    ),
    columns: { userId: true },
  });
  return row?.userId ?? null;
}

/** Binds a Slack user to a member; a Slack user already bound to someone else is "taken". */
export async function linkSlackUser(
  db: Database,
  tenantId: string,
  input: { teamId: string; slackUserId: string; userId: string; now: number },
): Promise<"linked" | "taken"> {
  const inserted = await db
    .insert(slackUserLinks)
    .values({
      tenantId,
      teamId: input.teamId,
      slackUserId: input.slackUserId,
      userId: input.userId,
      linkedAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ userId: slackUserLinks.userId });
  if (inserted.length > 0) return "linked";
  const existing = await findSlackUserLink(db, tenantId, input.teamId, input.slackUserId);
  return existing === input.userId ? "linked" : "taken";
}

export async function listChannelRepositories(db: Database, tenantId: string, teamId: string) {
  return db
    .select({
      channelId: slackChannelRepositories.channelId,
      owner: slackChannelRepositories.owner,
      name: slackChannelRepositories.name,
    })
    .from(slackChannelRepositories)
    .where(and(eq(slackChannelRepositories.tenantId, tenantId), eq(slackChannelRepositories.teamId, teamId)));
}

export async function findChannelRepository(
  db: Database,
  tenantId: string,
  teamId: string,
  channelId: string,
): Promise<{ owner: string; name: string } | null> {
  const row = await db.query.slackChannelRepositories.findFirst({
    where: and(
      eq(slackChannelRepositories.tenantId, tenantId),
      eq(slackChannelRepositories.teamId, teamId),
      eq(slackChannelRepositories.channelId, channelId),
    ),
    columns: { owner: true, name: true },
  });
  return row ?? null;
}

export async function setChannelRepository(
  db: Database,
  tenantId: string,
  input: { teamId: string; channelId: string; owner: string; name: string },
): Promise<void> {
  await db
    .insert(slackChannelRepositories)
    .values({ ...input, tenantId })
    .onConflictDoUpdate({
      target: [slackChannelRepositories.teamId, slackChannelRepositories.channelId],
      set: { owner: input.owner, name: input.name },
      setWhere: eq(slackChannelRepositories.tenantId, tenantId),
    });
}

export async function deleteChannelRepository(
  db: Database,
  tenantId: string,
  teamId: string,
  channelId: string,
): Promise<boolean> {
  const gone = await db
    .delete(slackChannelRepositories)
    .where(
      and(
        eq(slackChannelRepositories.tenantId, tenantId),
        eq(slackChannelRepositories.teamId, teamId),
        eq(slackChannelRepositories.channelId, channelId),
      ),
    )
    .returning({ channelId: slackChannelRepositories.channelId });
  return gone.length > 0;
}

export interface SlackThreadKey {
  teamId: string;
  channelId: string;
  threadTs: string;
}

/** The session a thread started, if any: a later mention in that thread is a follow-up on it. */
export async function findThreadSession(
  db: Database,
  tenantId: string,
  thread: SlackThreadKey,
): Promise<string | null> {
  const row = await db.query.slackThreads.findFirst({
    where: and(
      eq(slackThreads.tenantId, tenantId),
      eq(slackThreads.teamId, thread.teamId),
      eq(slackThreads.channelId, thread.channelId),
      eq(slackThreads.threadTs, thread.threadTs),
    ),
    columns: { sessionId: true },
  });
  return row?.sessionId ?? null;
}

/** The thread a session answers in (the dashboard links back to it). */
export async function findSessionThread(
  db: Database,
  tenantId: string,
  sessionId: string,
): Promise<SlackThreadKey | null> {
  const row = await db.query.slackThreads.findFirst({
    where: and(eq(slackThreads.tenantId, tenantId), eq(slackThreads.sessionId, sessionId)),
    columns: { teamId: true, channelId: true, threadTs: true },
  });
  return row ?? null;
}

/** Points a thread at a session (a newer session started from the thread replaces an ended one). */
export async function recordThreadSession(
  db: Database,
  tenantId: string,
  thread: SlackThreadKey,
  sessionId: string,
): Promise<void> {
  await db
    .insert(slackThreads)
    .values({ ...thread, tenantId, sessionId })
    .onConflictDoUpdate({
      target: [slackThreads.teamId, slackThreads.channelId, slackThreads.threadTs],
      set: { sessionId },
      setWhere: eq(slackThreads.tenantId, tenantId),
    });
}
