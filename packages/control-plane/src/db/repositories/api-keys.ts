/** API keys: hashed at rest, scoped to a tenant. Lookup by hash is the one pre-tenant query. */
import type { Role } from "@nightshift/protocol";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../client";
import { apiKeys, memberships, users } from "../schema";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(
  db: Database,
  tenantId: string,
  row: Omit<ApiKeyRow, "tenantId" | "lastUsedAt" | "revokedAt" | "scope"> & { scope?: string | null },
): Promise<ApiKeyRow> {
  const [inserted] = await db
    .insert(apiKeys)
    .values({ ...row, tenantId })
    .returning();
  if (!inserted) throw new Error("insert into api_keys returned no row");
  return inserted;
}

/**
 * Authentication: the key with this hash, its creator, and the creator's current role in the
 * key's tenant (null once they left it). The tenant is not known yet; the key decides it.
 */
export async function findApiKeyByHash(
  db: Database,
  hash: string,
): Promise<{ key: ApiKeyRow; user: typeof users.$inferSelect; creatorRole: Role | null } | null> {
  const [row] = await db
    .select({ key: apiKeys, user: users, creatorRole: memberships.role })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .leftJoin(
      memberships,
      and(eq(memberships.tenantId, apiKeys.tenantId), eq(memberships.userId, apiKeys.userId)),
    )
    .where(eq(apiKeys.hash, hash))
    .limit(1);
  return row ?? null;
}

/** Records use at most once a minute per key, so a busy key does not write on every request. */
export async function touchApiKey(
  db: Database,
  tenantId: string,
  keyId: string,
  now: string,
  before: string,
) {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.tenantId, tenantId),
        eq(apiKeys.id, keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, before)),
      ),
    );
}

export async function listApiKeys(
  db: Database,
  tenantId: string,
  opts: { userId?: string | undefined },
): Promise<ApiKeyRow[]> {
  const conditions = [eq(apiKeys.tenantId, tenantId)];
  if (opts.userId) conditions.push(eq(apiKeys.userId, opts.userId));
  return db
    .select()
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(desc(apiKeys.id));
}

export async function findApiKey(db: Database, tenantId: string, keyId: string): Promise<ApiKeyRow | null> {
  return (
    (await db.query.apiKeys.findFirst({
      where: and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)),
    })) ?? null
  );
}

export async function revokeApiKey(
  db: Database,
  tenantId: string,
  keyId: string,
  now: string,
): Promise<ApiKeyRow | null> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning();
  return row ?? null;
}
