/**
 * A user's own model accounts. Every query names both the tenant and the user: an account is
 * found, listed, replaced or deleted only by (tenant, user[, provider]). The ciphertext leaves this
 * module only through `findSealedUserAccount`, for the gateway.
 */
import { MODEL_KEY_SECRET_NAMES, type ModelAccountKind, type ModelProvider } from "@nightshift/protocol";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../client";
import { secrets, userModelAccounts } from "../schema";
import type { SecretRow } from "./secrets";

export type UserModelAccountRow = typeof userModelAccounts.$inferSelect;
export type UserModelAccountMetaRow = Omit<UserModelAccountRow, "ciphertext">;

const metaColumns = {
  id: userModelAccounts.id,
  tenantId: userModelAccounts.tenantId,
  userId: userModelAccounts.userId,
  provider: userModelAccounts.provider,
  kind: userModelAccounts.kind,
  hint: userModelAccounts.hint,
  createdAt: userModelAccounts.createdAt,
  updatedAt: userModelAccounts.updatedAt,
};

function accountIs(tenantId: string, userId: string, provider: ModelProvider) {
  return and(
    eq(userModelAccounts.tenantId, tenantId),
    eq(userModelAccounts.userId, userId),
    eq(userModelAccounts.provider, provider),
  );
}

export async function listUserAccounts(
  db: Database,
  tenantId: string,
  userId: string,
): Promise<UserModelAccountMetaRow[]> {
  return db
    .select(metaColumns)
    .from(userModelAccounts)
    .where(and(eq(userModelAccounts.tenantId, tenantId), eq(userModelAccounts.userId, userId)))
    .orderBy(asc(userModelAccounts.provider));
}

/** Sets the account (one per provider): a second PUT replaces value, kind and hint in place. */
export async function putUserAccount(
  db: Database,
  tenantId: string,
  input: {
    id: string;
    userId: string;
    provider: ModelProvider;
    kind: ModelAccountKind;
    ciphertext: string;
    hint: string;
    now: string;
  },
): Promise<{ row: UserModelAccountMetaRow; created: boolean }> {
  const [row] = await db
    .insert(userModelAccounts)
    .values({ ...input, tenantId, createdAt: input.now, updatedAt: input.now })
    .onConflictDoUpdate({
      target: [userModelAccounts.tenantId, userModelAccounts.userId, userModelAccounts.provider],
      set: {
        kind: sql`excluded.kind`,
        ciphertext: sql`excluded.ciphertext`,
        hint: sql`excluded.hint`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .returning(metaColumns);
  if (!row) throw new Error("model account upsert returned no row");
  return { row, created: row.id === input.id };
}

export async function deleteUserAccount(
  db: Database,
  tenantId: string,
  userId: string,
  provider: ModelProvider,
): Promise<boolean> {
  const rows = await db
    .delete(userModelAccounts)
    .where(accountIs(tenantId, userId, provider))
    .returning({ id: userModelAccounts.id });
  return rows.length > 0;
}

/** The sealed account the gateway opens for a session `userId` created in `tenantId`. */
export async function findSealedUserAccount(
  db: Database,
  tenantId: string,
  userId: string,
  provider: ModelProvider,
): Promise<UserModelAccountRow | null> {
  const [row] = await db
    .select()
    .from(userModelAccounts)
    .where(accountIs(tenantId, userId, provider));
  return row ?? null;
}

/**
 * The tenant's model accounts: its model-key secrets (tenant-wide and per repository), sealed. Read
 * only to show each one's masked hint; the values never leave the service that opens them.
 */
export async function listSealedTenantModelKeys(db: Database, tenantId: string): Promise<SecretRow[]> {
  return db
    .select()
    .from(secrets)
    .where(and(eq(secrets.tenantId, tenantId), inArray(secrets.name, Object.values(MODEL_KEY_SECRET_NAMES))))
    .orderBy(asc(secrets.name), desc(secrets.scope), asc(secrets.repoKey));
}

/** Every account one user holds in one tenant: they left it, and their credentials go with them. */
export async function deleteUserAccountsIn(db: Database, tenantId: string, userId: string): Promise<number> {
  const rows = await db
    .delete(userModelAccounts)
    .where(and(eq(userModelAccounts.tenantId, tenantId), eq(userModelAccounts.userId, userId)))
    .returning({ id: userModelAccounts.id });
  return rows.length;
}
