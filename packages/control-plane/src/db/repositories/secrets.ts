/** Sealed secret values. Values leave this module only as ciphertext; metadata lists omit them. */
import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { secrets } from "../schema";

export type SecretRow = typeof secrets.$inferSelect;
export type SecretMetaRow = Omit<SecretRow, "ciphertext">;

export interface SecretIdentity {
  scope: SecretRow["scope"];
  /** "" for tenant-wide secrets. */
  repoKey: string;
  name: string;
}

function identityIs(tenantId: string, id: SecretIdentity) {
  return and(
    eq(secrets.tenantId, tenantId),
    eq(secrets.scope, id.scope),
    eq(secrets.repoKey, id.repoKey),
    eq(secrets.name, id.name),
  );
}

const metaColumns = {
  id: secrets.id,
  tenantId: secrets.tenantId,
  scope: secrets.scope,
  repoKey: secrets.repoKey,
  name: secrets.name,
  adminOnly: secrets.adminOnly,
  createdBy: secrets.createdBy,
  createdAt: secrets.createdAt,
  updatedAt: secrets.updatedAt,
};

/**
 * Sets a secret: replaces it when it exists, else inserts it if the tenant is under `maxCount`.
 * The count guard is inside the INSERT statement, so concurrent writers cannot overshoot it.
 */
export async function putSecret(
  db: Database,
  tenantId: string,
  input: SecretIdentity & {
    id: string;
    ciphertext: string;
    /** Undefined keeps an existing secret's setting (a new one is not admin-only). */
    adminOnly?: boolean | undefined;
    createdBy: string;
    now: string;
    maxCount: number;
  },
): Promise<{ row: SecretMetaRow; created: boolean } | "limit_reached"> {
  const [updated] = await db
    .update(secrets)
    .set({
      ciphertext: input.ciphertext,
      updatedAt: input.now,
      ...(input.adminOnly === undefined ? {} : { adminOnly: input.adminOnly }),
    })
    .where(identityIs(tenantId, input))
    .returning(metaColumns);
  if (updated) return { row: updated, created: false };
  const inserted = await db.all<{ id: string }>(sql`
    INSERT INTO ${secrets} (id, tenant_id, scope, repo_key, name, ciphertext, admin_only, created_by, created_at, updated_at)
    SELECT ${input.id}, ${tenantId}, ${input.scope}, ${input.repoKey}, ${input.name}, ${input.ciphertext},
           ${input.adminOnly ? 1 : 0}, ${input.createdBy}, ${input.now}, ${input.now}
    WHERE (SELECT count(*) FROM ${secrets} WHERE tenant_id = ${tenantId}) < ${input.maxCount}
    ON CONFLICT (tenant_id, scope, repo_key, name) DO UPDATE SET ciphertext = excluded.ciphertext,
      updated_at = excluded.updated_at
    RETURNING id`);
  if (inserted.length === 0) return "limit_reached";
  const [row] = await db.select(metaColumns).from(secrets).where(identityIs(tenantId, input));
  if (!row) throw new Error("secret vanished right after insert");
  return { row, created: true };
}

export async function listSecretMeta(db: Database, tenantId: string): Promise<SecretMetaRow[]> {
  return db
    .select(metaColumns)
    .from(secrets)
    .where(eq(secrets.tenantId, tenantId))
    .orderBy(asc(secrets.name), desc(secrets.scope), asc(secrets.repoKey));
}

export async function deleteSecret(db: Database, tenantId: string, id: SecretIdentity): Promise<boolean> {
  const rows = await db.delete(secrets).where(identityIs(tenantId, id)).returning({ id: secrets.id });
  return rows.length > 0;
}

/**
 * Tenant-wide secrets plus those of one repository, with their ciphertext, for a sandbox's env.
 * Admin-only secrets are left out unless `includeAdminOnly` (the session's starter is an admin).
 */
export async function listSealedSecretsForRepo(
  db: Database,
  tenantId: string,
  repoKey: string,
  includeAdminOnly = true,
): Promise<SecretRow[]> {
  return db
    .select()
    .from(secrets)
    .where(
      and(
        eq(secrets.tenantId, tenantId),
        or(eq(secrets.scope, "tenant"), and(eq(secrets.scope, "repo"), eq(secrets.repoKey, repoKey))),
        includeAdminOnly ? undefined : eq(secrets.adminOnly, false),
      ),
    );
}

/** Every sealed value of a tenant (tests and audits of the encryption; never returned by the API). */
