/**
 * Secret use cases: write-only. Values go in sealed and never come back out through the API; the
 * list shows names, scopes and timestamps. Only `decryptSecretsForSandbox` opens values.
 */
import {
  type ListSecretsResponse,
  type PutSecretRequest,
  SECRETS_PER_TENANT_MAX,
  type SecretMeta,
  type SecretScopeQuery,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { recordAudit } from "../audit/record";
import { type Database, openDatabase } from "../db/client";
import {
  deleteSecret as deleteSecretRow,
  listSecretMeta,
  putSecret as putSecretRow,
  type SecretIdentity,
  type SecretMetaRow,
} from "../db/repositories/secrets";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { SecretsConfigError } from "../secrets/errors";
import { type Keyring, loadKeyring } from "../secrets/keyring";
import { sealSecret } from "../secrets/tenant-vault";

function toMeta(row: SecretMetaRow): SecretMeta {
  return {
    name: row.name,
    scope: row.scope,
    repo: row.scope === "repo" ? row.repoKey : null,
    adminOnly: row.adminOnly,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function identityOf(name: string, q: SecretScopeQuery): SecretIdentity {
  return q.repo ? { scope: "repo", repoKey: q.repo, name } : { scope: "tenant", repoKey: "", name };
}

/** The master keyring, or the operator's fix as a 500 that names the variable (never a value). */
export async function keyring(env: Bindings): Promise<Keyring> {
  try {
    return await loadKeyring(env.SECRETS_MASTER_KEYS);
  } catch (err) {
    if (err instanceof SecretsConfigError) {
      // The operator's fix, not the caller's; the message names the variable, never a value.
      throw new AppError("internal", `secrets cannot be stored on this server yet: ${err.message}`);
    }
    throw err;
  }
}

export async function listSecrets(env: Bindings, actor: Actor): Promise<ListSecretsResponse> {
  return { secrets: (await listSecretMeta(openDatabase(env.DB), actor.tenantId)).map(toMeta) };
}

/**
 * Seals `value` under the tenant's envelope and writes it as the secret row `identity` (a model
 * account is one too); 409 once the tenant holds the most secrets it may.
 */
export async function storeSecret(
  env: Bindings,
  db: Database,
  actor: Actor,
  identity: SecretIdentity,
  value: string,
  adminOnly: boolean | undefined,
): Promise<{ row: SecretMetaRow; created: boolean }> {
  const ring = await keyring(env);
  const ciphertext = await sealSecret(db, ring, { tenantId: actor.tenantId, ...identity }, value);
  const result = await putSecretRow(db, actor.tenantId, {
    ...identity,
    id: ulid().toLowerCase(),
    ciphertext,
    adminOnly,
    createdBy: actor.userId,
    now: new Date().toISOString(),
    maxCount: SECRETS_PER_TENANT_MAX,
  });
  if (result === "limit_reached") {
    throw new AppError(
      "conflict",
      `a tenant may hold at most ${SECRETS_PER_TENANT_MAX} secrets; delete unused ones first`,
    );
  }
  return result;
}

export async function putSecret(
  env: Bindings,
  actor: Actor,
  name: string,
  scope: SecretScopeQuery,
  req: PutSecretRequest,
): Promise<{ secret: SecretMeta; created: boolean }> {
  const db = openDatabase(env.DB);
  const identity = identityOf(name, scope);
  const result = await storeSecret(env, db, actor, identity, req.value, req.adminOnly);
  await recordAudit(db, actor.tenantId, actor, {
    action: "secret.set",
    target: { type: "secret", id: result.row.id },
    detail: {
      name,
      scope: identity.scope,
      repo: scope.repo ?? null,
      created: result.created,
      adminOnly: result.row.adminOnly,
    },
  });
  return { secret: toMeta(result.row), created: result.created };
}

export async function deleteSecret(
  env: Bindings,
  actor: Actor,
  name: string,
  scope: SecretScopeQuery,
): Promise<void> {
  const db = openDatabase(env.DB);
  const identity = identityOf(name, scope);
  if (!(await deleteSecretRow(db, actor.tenantId, identity))) {
    throw AppError.notFound(`secret ${name}${scope.repo ? ` for ${scope.repo}` : ""}`);
  }
  await recordAudit(db, actor.tenantId, actor, {
    action: "secret.deleted",
    target: { type: "secret", id: `${identity.scope}:${identity.repoKey}:${name}` },
    detail: { name, scope: identity.scope, repo: scope.repo ?? null },
  });
}
