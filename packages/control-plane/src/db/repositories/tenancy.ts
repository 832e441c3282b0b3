/** Tenants, users and memberships. */
import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { memberships, tenants, users } from "../schema";

export type Role = (typeof memberships.$inferSelect)["role"];

export interface LocalIdentity {
  tenantId: string;
  userId: string;
}

/** The single tenant and user of local mode, created on first use. Idempotent. */
export async function ensureLocalIdentity(db: Database): Promise<LocalIdentity> {
  const identity = { tenantId: "local", userId: "local-user" };
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

export async function findUser(db: Database, userId: string) {
  return (await db.query.users.findFirst({ where: eq(users.id, userId) })) ?? null;
}
