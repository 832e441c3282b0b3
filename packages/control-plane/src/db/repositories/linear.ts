/**
 * Linear state in D1. Everything is scoped by tenant except `findLinearInstallation` and
 * `findAgentSessionLink`'s organization lookup, which is how a verified delivery learns its tenant
 * from the organization it came from.
 */
import type { Role } from "@nightshift/protocol";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import {
  linearAgentSessions,
  linearInstallations,
  linearTeamRepositories,
  memberships,
  users,
} from "../schema";

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

/**
 * The tenant's member whose account email is `email` (case-insensitive); null when none, or when
 * two members share it and cannot be told apart.
 */
export async function findMemberByEmail(
  db: Database,
  tenantId: string,
  email: string,
): Promise<{ userId: string; login: string; name: string; role: Role } | null> {
  const rows = await db
    .select({ userId: users.id, login: users.login, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.tenantId, tenantId), sql`lower(${users.email}) = ${email.trim().toLowerCase()}`),
    )
    .limit(2);
  return rows.length === 1 ? (rows[0] ?? null) : null;
}
