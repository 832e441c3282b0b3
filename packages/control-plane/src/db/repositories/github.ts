/**
 * Tenant-scoped access to GitHub App state: which installations a tenant has connected and the
 * repositories they grant. The one unscoped lookup, `findInstallationTenant`, is how a verified
 * webhook learns its tenant.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../client";
import { githubInstallations, githubRepositories } from "../schema";

export type InstallationRow = typeof githubInstallations.$inferSelect;
export type GithubRepositoryRow = typeof githubRepositories.$inferSelect;

export interface RepositoryInput {
  id: number;
  owner: string;
  name: string;
  defaultBranch?: string | null | undefined;
}

/** Webhooks: which tenant (if any) an installation belongs to. */
export async function findInstallationTenant(db: Database, installationId: number): Promise<string | null> {
  const row = await db.query.githubInstallations.findFirst({
    where: eq(githubInstallations.id, installationId),
    columns: { tenantId: true },
  });
  return row?.tenantId ?? null;
}

/**
 * Links an installation to a tenant. An installation belongs to one tenant: linking one that
 * another tenant holds returns "taken" and changes nothing.
 */
export async function linkInstallation(
  db: Database,
  tenantId: string,
  input: { id: number; accountLogin: string; linkedBy: string; now: number },
): Promise<"linked" | "already" | "taken"> {
  const inserted = await db
    .insert(githubInstallations)
    .values({
      id: input.id,
      tenantId,
      accountLogin: input.accountLogin,
      linkedBy: input.linkedBy,
      createdAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: githubInstallations.id });
  if (inserted.length > 0) return "linked";
  const owner = await db.query.githubInstallations.findFirst({
    where: eq(githubInstallations.id, input.id),
    columns: { tenantId: true },
  });
  return owner?.tenantId === tenantId ? "already" : "taken";
}

export async function unlinkInstallation(
  db: Database,
  tenantId: string,
  installationId: number,
): Promise<boolean> {
  const gone = await db
    .delete(githubInstallations)
    .where(and(eq(githubInstallations.tenantId, tenantId), eq(githubInstallations.id, installationId)))
    .returning({ id: githubInstallations.id });
  return gone.length > 0;
}

export async function listInstallations(
  db: Database,
  tenantId: string,
): Promise<(InstallationRow & { repositories: GithubRepositoryRow[] })[]> {
  const installs = await db
    .select()
    .from(githubInstallations)
    .where(eq(githubInstallations.tenantId, tenantId))
    .orderBy(asc(githubInstallations.createdAt));
  const repos = await listTenantRepositories(db, tenantId);
  return installs.map((i) => ({ ...i, repositories: repos.filter((r) => r.installationId === i.id) }));
}

export async function listTenantRepositories(db: Database, tenantId: string): Promise<GithubRepositoryRow[]> {
  return db
    .select()
    .from(githubRepositories)
    .where(eq(githubRepositories.tenantId, tenantId))
    .orderBy(asc(githubRepositories.owner), asc(githubRepositories.name));
}

/** The connected repository by name (case-insensitive, as GitHub's names are). */
export async function findTenantRepository(
  db: Database,
  tenantId: string,
  owner: string,
  name: string,
): Promise<GithubRepositoryRow | null> {
  const row = await db.query.githubRepositories.findFirst({
    where: and(
      eq(githubRepositories.tenantId, tenantId),
      eq(sql`lower(${githubRepositories.owner})`, owner.toLowerCase()),
      eq(sql`lower(${githubRepositories.name})`, name.toLowerCase()),
    ),
  });
  return row ?? null;
}

/** Adds or renames repositories of one of the tenant's installations. */
export async function upsertRepositories(
  db: Database,
  tenantId: string,
  installationId: number,
  repos: RepositoryInput[],
): Promise<void> {
  const owned = await db.query.githubInstallations.findFirst({
    where: and(eq(githubInstallations.tenantId, tenantId), eq(githubInstallations.id, installationId)),
    columns: { id: true },
  });
  if (!owned || repos.length === 0) return;
  for (const r of repos) {
    await db
      .insert(githubRepositories)
      .values({
        id: r.id,
        tenantId,
        installationId,
        owner: r.owner,
        name: r.name,
        defaultBranch: r.defaultBranch ?? null,
      })
      .onConflictDoUpdate({
        target: githubRepositories.id,
        set: {
          owner: r.owner,
          name: r.name,
          installationId,
          ...(r.defaultBranch ? { defaultBranch: r.defaultBranch } : {}),
        },
        // A repository row of another tenant is never taken over.
        setWhere: eq(githubRepositories.tenantId, tenantId),
      });
  }
}

export async function removeRepositories(
  db: Database,
  tenantId: string,
  installationId: number,
  repositoryIds: number[],
): Promise<void> {
  if (repositoryIds.length === 0) return;
  await db
    .delete(githubRepositories)
    .where(
      and(
        eq(githubRepositories.tenantId, tenantId),
        eq(githubRepositories.installationId, installationId),
        inArray(githubRepositories.id, repositoryIds),
      ),
    );
}

/** Makes the installation's repositories exactly `repos` (a full sync after linking). */
export async function replaceRepositories(
  db: Database,
  tenantId: string,
  installationId: number,
  repos: RepositoryInput[],
): Promise<void> {
  const current = await db
    .select({ id: githubRepositories.id })
    .from(githubRepositories)
    .where(
      and(eq(githubRepositories.tenantId, tenantId), eq(githubRepositories.installationId, installationId)),
    );
  const keep = new Set(repos.map((r) => r.id));
  await removeRepositories(
    db,
    tenantId,
    installationId,
    current.map((r) => r.id).filter((id) => !keep.has(id)),
  );
  await upsertRepositories(db, tenantId, installationId, repos);
}
