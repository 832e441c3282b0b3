/**
 * Linear state in D1. Everything is scoped by tenant except `findLinearInstallation`, which is how
 * a verified delivery learns its tenant from the organization it came from.
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { linearAgentSessions, linearInstallations, linearTeamRepositories, linearUserLinks } from "../schema";

export type LinearInstallationRow = typeof linearInstallations.$inferSelect;
export type LinearAgentSessionRow = typeof linearAgentSessions.$inferSelect;

/** Deliveries: the installation (and so the tenant) of an organization, or null when none installed it. */
export async function findLinearInstallation(
  db: Database,
  organizationId: string,
): Promise<LinearInstallationRow | null> {
  return (
    (await db.query.linearInstallations.findFirst({
      where: eq(linearInstallations.organizationId, organizationId),
    })) ?? null
  );
}

export async function findTenantLinearInstallation(
  db: Database,
  tenantId: string,
): Promise<LinearInstallationRow | null> {
  return (
    (await db.query.linearInstallations.findFirst({ where: eq(linearInstallations.tenantId, tenantId) })) ??
    null
  );
}

/**
 * Stores an organization's installation for a tenant, replacing the tenant's own earlier one (a
 * reinstall rotates the tokens). An organization another tenant holds is "taken" and nothing changes.
 */
export async function saveLinearInstallation(
  db: Database,
  tenantId: string,
  input: Omit<LinearInstallationRow, "tenantId">,
): Promise<"saved" | "taken"> {
  const row: LinearInstallationRow = { ...input, tenantId };
  const existing = await findLinearInstallation(db, row.organizationId);
  if (existing && existing.tenantId !== row.tenantId) return "taken";
  const previous = await findTenantLinearInstallation(db, row.tenantId);
  if (previous && previous.organizationId !== row.organizationId)
    await deleteLinearInstallation(db, row.tenantId, previous.organizationId);
  const saved = await db
    .insert(linearInstallations)
    .values(row)
    .onConflictDoUpdate({
      target: linearInstallations.organizationId,
      set: {
        organizationName: row.organizationName,
        appUserId: row.appUserId,
        accessToken: row.accessToken,
        refreshToken: row.refreshToken,
        expiresAt: row.expiresAt,
        installedBy: row.installedBy,
        installedAt: row.installedAt,
      },
      // Only this tenant's own row is updated: a race with another tenant loses.
      setWhere: eq(linearInstallations.tenantId, row.tenantId),
    })
    .returning({ id: linearInstallations.organizationId });
  return saved.length > 0 ? "saved" : "taken";
}

/** Replaces the sealed tokens after a refresh. */
export async function updateLinearTokens(
  db: Database,
  tenantId: string,
  organizationId: string,
  tokens: { accessToken: string; refreshToken: string | null; expiresAt: number | null },
): Promise<void> {
  await db
    .update(linearInstallations)
    .set(tokens)
    .where(
      and(eq(linearInstallations.tenantId, tenantId), eq(linearInstallations.organizationId, organizationId)),
    );
}

/** Removes the organization's installation (team mappings are the tenant's and stay). */
export async function deleteLinearInstallation(
  db: Database,
  tenantId: string,
  organizationId: string,
): Promise<boolean> {
  const gone = await db
    .delete(linearInstallations)
    .where(
      and(eq(linearInstallations.tenantId, tenantId), eq(linearInstallations.organizationId, organizationId)),
    )
    .returning({ id: linearInstallations.organizationId });
  return gone.length > 0;
}

export async function listTeamRepositories(db: Database, tenantId: string) {
  return db
    .select({
      teamId: linearTeamRepositories.teamId,
      owner: linearTeamRepositories.owner,
      name: linearTeamRepositories.name,
    })
    .from(linearTeamRepositories)
    .where(eq(linearTeamRepositories.tenantId, tenantId));
}

export async function findTeamRepository(
  db: Database,
  tenantId: string,
  teamId: string,
): Promise<{ owner: string; name: string } | null> {
  const row = await db.query.linearTeamRepositories.findFirst({
    where: and(eq(linearTeamRepositories.tenantId, tenantId), eq(linearTeamRepositories.teamId, teamId)),
    columns: { owner: true, name: true },
  });
  return row ?? null;
}

export async function setTeamRepository(
  db: Database,
  tenantId: string,
  input: { teamId: string; owner: string; name: string },
): Promise<void> {
  await db
    .insert(linearTeamRepositories)
    .values({ ...input, tenantId })
    .onConflictDoUpdate({
      target: [linearTeamRepositories.tenantId, linearTeamRepositories.teamId],
      set: { owner: input.owner, name: input.name },
    });
}

export async function deleteTeamRepository(db: Database, tenantId: string, teamId: string): Promise<boolean> {
  const gone = await db
    .delete(linearTeamRepositories)
    .where(and(eq(linearTeamRepositories.tenantId, tenantId), eq(linearTeamRepositories.teamId, teamId)))
    .returning({ teamId: linearTeamRepositories.teamId });
  return gone.length > 0;
}

/** The session a Linear agent session started, scoped to the tenant its organization belongs to. */
export async function findAgentSessionLink(
  db: Database,
  tenantId: string,
  agentSessionId: string,
): Promise<LinearAgentSessionRow | null> {
  return (
    (await db.query.linearAgentSessions.findFirst({
      where: and(
        eq(linearAgentSessions.tenantId, tenantId),
        eq(linearAgentSessions.agentSessionId, agentSessionId),
      ),
    })) ?? null
  );
}

export async function recordAgentSession(
  db: Database,
  tenantId: string,
  input: Omit<LinearAgentSessionRow, "tenantId">,
): Promise<void> {
  await db
    .insert(linearAgentSessions)
    .values({ ...input, tenantId })
    .onConflictDoUpdate({
      target: linearAgentSessions.agentSessionId,
      set: { sessionId: input.sessionId },
      setWhere: eq(linearAgentSessions.tenantId, tenantId),
    });
}

/** The member a Linear user of `organizationId` is linked to in this tenant, or null. */
export async function findLinearUserLink(
  db: Database,
  tenantId: string,
  organizationId: string,
  linearUserId: string,
): Promise<string | null> {
  const row = await db.query.linearUserLinks.findFirst({
    where: and(
      eq(linearUserLinks.tenantId, tenantId),
      eq(linearUserLinks.organizationId, organizationId),
      eq(linearUserLinks.linearUserId, linearUserId),
    ),
    columns: { userId: true },
  });
  return row?.userId ?? null;
}

/** Binds a Linear user to a member; a Linear user already bound to someone else is "taken". */
export async function linkLinearUser(
  db: Database,
  tenantId: string,
  input: { organizationId: string; linearUserId: string; userId: string; now: number },
): Promise<"linked" | "taken"> {
  const inserted = await db
    .insert(linearUserLinks)
    .values({
      tenantId,
      organizationId: input.organizationId,
      linearUserId: input.linearUserId,
      userId: input.userId,
      linkedAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ userId: linearUserLinks.userId });
  if (inserted.length > 0) return "linked";
  const existing = await findLinearUserLink(db, tenantId, input.organizationId, input.linearUserId);
  return existing === input.userId ? "linked" : "taken";
}

/** Where in Linear a session was asked for (the dashboard links back), or null when not from Linear. */
export async function findSessionIssue(
  db: Database,
  tenantId: string,
  sessionId: string,
): Promise<Pick<LinearAgentSessionRow, "issueId" | "issueIdentifier" | "issueUrl"> | null> {
  const row = await db.query.linearAgentSessions.findFirst({
    where: and(eq(linearAgentSessions.tenantId, tenantId), eq(linearAgentSessions.sessionId, sessionId)),
    columns: { issueId: true, issueIdentifier: true, issueUrl: true },
  });
  return row ?? null;
}
