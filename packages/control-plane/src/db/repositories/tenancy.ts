/**
 * Tenants and memberships. Functions on a tenant take it first; the few that find tenants for a
 * user (before any tenant is chosen) say so in their name.
 */
import type { Role } from "@nightshift/protocol";
import { and, asc, eq, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { memberships, tenants, users } from "../schema";

export type TenantRow = typeof tenants.$inferSelect;

export interface LocalIdentity {
  tenantId: string;
  userId: string;
}

export const LOCAL_IDENTITY: LocalIdentity = { tenantId: "local", userId: "local-user" };

/** The single tenant and owner of local mode (what the dev login signs in as), created on first use. */
export async function ensureLocalIdentity(db: Database): Promise<LocalIdentity> {
  const identity = LOCAL_IDENTITY;
  await db.batch([
    db.insert(tenants).values({ id: identity.tenantId, slug: "local", name: "Local" }).onConflictDoNothing(),
    db
      .insert(users)
      .values({ id: identity.userId, login: "local", name: "Local User", email: "local@nightshift.invalid" })
      .onConflictDoNothing(),
    db
      .insert(memberships)
      .values({ tenantId: identity.tenantId, userId: identity.userId, role: "owner" })
      .onConflictDoNothing(),
  ]);
  return identity;
}

/** Creates a tenant and its first owner in one batch (both or neither). */
export async function createTenantWithOwner(
  db: Database,
  tenantId: string,
  input: { slug: string; name: string; ownerId: string; createdAt: string },
): Promise<TenantRow> {
  const [inserted] = await db.batch([
    db
      .insert(tenants)
      .values({ id: tenantId, slug: input.slug, name: input.name, createdAt: input.createdAt })
      .returning(),
    db
      .insert(memberships)
      .values({ tenantId, userId: input.ownerId, role: "owner", createdAt: input.createdAt }),
  ]);
  const row = inserted[0];
  if (!row) throw new Error("insert into tenants returned no row");
  return row;
}

export async function isTenantSlugTaken(db: Database, slug: string): Promise<boolean> {
  const row = await db.query.tenants.findFirst({ columns: { id: true }, where: eq(tenants.slug, slug) });
  return row !== undefined;
}

export async function getTenant(db: Database, tenantId: string): Promise<TenantRow | null> {
  return (await db.query.tenants.findFirst({ where: eq(tenants.id, tenantId) })) ?? null;
}

export async function deleteTenant(db: Database, tenantId: string): Promise<void> {
  // Foreign keys cascade: memberships, keys, secrets, sessions index, audit log, limits.
  await db.delete(tenants).where(eq(tenants.id, tenantId));
}

/**
 * The tenant a user named (by id or slug) together with their role in it, or null when it does
 * not exist or they are not a member: callers cannot tell those apart, by design.
 */
export async function findTenantForUser(
  db: Database,
  userId: string,
  ref: string,
): Promise<(TenantRow & { role: Role }) | null> {
  const [row] = await db
    .select({ tenant: tenants, role: memberships.role })
    .from(tenants)
    .innerJoin(memberships, and(eq(memberships.tenantId, tenants.id), eq(memberships.userId, userId)))
    .where(or(eq(tenants.id, ref), eq(tenants.slug, ref)))
    .orderBy(sql`${tenants.id} = ${ref} DESC`)
    .limit(1);
  return row ? { ...row.tenant, role: row.role } : null;
}

export async function listTenantsForUser(
  db: Database,
  userId: string,
): Promise<(TenantRow & { role: Role })[]> {
  const rows = await db
    .select({ tenant: tenants, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(tenants.slug));
  return rows.map((r) => ({ ...r.tenant, role: r.role }));
}

export async function findMembership(
  db: Database,
  tenantId: string,
  userId: string,
): Promise<{ role: Role } | null> {
  const row = await db.query.memberships.findFirst({
    where: and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)),
  });
  return row ? { role: row.role } : null;
}

export interface MemberRow {
  userId: string;
  login: string;
  name: string;
  role: Role;
  createdAt: string;
}

export async function listMembers(db: Database, tenantId: string): Promise<MemberRow[]> {
  return db
    .select({
      userId: memberships.userId,
      login: users.login,
      name: users.name,
      role: memberships.role,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.login));
}

/** Adds a member; false when they already belong to the tenant. */
export async function addMember(
  db: Database,
  tenantId: string,
  userId: string,
  role: Role,
  createdAt: string,
): Promise<boolean> {
  const rows = await db
    .insert(memberships)
    .values({ tenantId, userId, role, createdAt })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  return rows.length > 0;
}

/**
 * Changes a member's role unless that would leave the tenant without an owner: the guard is in
 * the same statement, so two owners demoting each other at once cannot both succeed.
 */
export async function setMemberRole(
  db: Database,
  tenantId: string,
  userId: string,
  role: Role,
): Promise<"updated" | "not_found" | "last_owner"> {
  const rows = await db
    .update(memberships)
    .set({ role })
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        eq(memberships.userId, userId),
        or(
          sql`${role} = 'owner'`,
          sql`${memberships.role} <> 'owner'`,
          sql`(SELECT count(*) FROM ${memberships} m WHERE m.tenant_id = ${tenantId} AND m.role = 'owner') > 1`,
        ),
      ),
    )
    .returning({ userId: memberships.userId });
  if (rows.length > 0) return "updated";
  return (await findMembership(db, tenantId, userId)) ? "last_owner" : "not_found";
}

/** Removes a member unless they are the last owner (checked in the same statement). */
export async function removeMember(
  db: Database,
  tenantId: string,
  userId: string,
): Promise<"removed" | "not_found" | "last_owner"> {
  const rows = await db
    .delete(memberships)
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        eq(memberships.userId, userId),
        or(
          sql`${memberships.role} <> 'owner'`,
          sql`(SELECT count(*) FROM ${memberships} m WHERE m.tenant_id = ${tenantId} AND m.role = 'owner') > 1`,
        ),
      ),
    )
    .returning({ userId: memberships.userId });
  if (rows.length > 0) return "removed";
  return (await findMembership(db, tenantId, userId)) ? "last_owner" : "not_found";
}
