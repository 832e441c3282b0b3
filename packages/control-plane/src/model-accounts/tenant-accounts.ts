/**
 * The tenant's model accounts: the admin-managed model-key secrets (ANTHROPIC_API_KEY, ...),
 * tenant-wide or for one repository, under a provider-shaped API. Members see the list (provider,
 * scope, masked hint, never the value); owners and admins set and delete. API keys only: a Claude
 * subscription is one person's and is stored as their own account.
 */
import {
  type ListTenantModelAccountsResponse,
  MODEL_KEY_SECRET_NAMES,
  MODEL_PROVIDERS,
  type ModelProvider,
  modelAccountHint,
  modelAccountProblem,
  type PutTenantModelAccountRequest,
  type TenantModelAccountMeta,
  type TenantModelAccountQuery,
} from "@nightshift/protocol";
import { recordAudit } from "../audit/record";
import { type Database, openDatabase } from "../db/client";
import { listSealedTenantModelKeys } from "../db/repositories/model-accounts";
import {
  deleteSecret as deleteSecretRow,
  type SecretIdentity,
  type SecretRow,
} from "../db/repositories/secrets";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { forgetCachedModelKeys } from "../model-gateway/credentials";
import type { Keyring } from "../secrets/keyring";
import { openSecrets } from "../secrets/tenant-vault";
import { keyring, storeSecret } from "../services/secrets";

const providerOfSecret = (name: string): ModelProvider | undefined =>
  MODEL_PROVIDERS.find((p) => MODEL_KEY_SECRET_NAMES[p] === name);

function identityOf(provider: ModelProvider, q: TenantModelAccountQuery): SecretIdentity {
  const name = MODEL_KEY_SECRET_NAMES[provider];
  return q.repo ? { scope: "repo", repoKey: q.repo, name } : { scope: "tenant", repoKey: "", name };
}

/** The masked hint of a stored key; a value that does not open shows as unreadable, not as an error. */
async function hintOf(db: Database, ring: Keyring, row: SecretRow): Promise<string> {
  try {
    const [value] = await openSecrets(db, ring, row.tenantId, [
      {
        address: { tenantId: row.tenantId, scope: row.scope, repoKey: row.repoKey, name: row.name },
        ciphertext: row.ciphertext,
      },
    ]);
    return value === undefined ? "…" : modelAccountHint(value);
  } catch {
    return "(unreadable)";
  }
}

export async function listTenantAccounts(
  env: Bindings,
  actor: Actor,
): Promise<ListTenantModelAccountsResponse> {
  const db = openDatabase(env.DB);
  const rows = await listSealedTenantModelKeys(db, actor.tenantId);
  if (rows.length === 0) return { accounts: [] };
  const ring = await keyring(env);
  const accounts: TenantModelAccountMeta[] = [];
  for (const row of rows) {
    const provider = providerOfSecret(row.name);
    if (!provider) continue;
    accounts.push({
      provider,
      kind: "api_key",
      hint: await hintOf(db, ring, row),
      scope: row.scope,
      repo: row.scope === "repo" ? row.repoKey : null,
      adminOnly: row.adminOnly,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }
  return { accounts };
}

export async function putTenantAccount(
  env: Bindings,
  actor: Actor,
  provider: ModelProvider,
  scope: TenantModelAccountQuery,
  req: PutTenantModelAccountRequest,
): Promise<{ account: TenantModelAccountMeta; created: boolean }> {
  const problem = modelAccountProblem(provider, req.kind, req.value);
  if (problem) throw new AppError("invalid_request", problem);
  const db = openDatabase(env.DB);
  const identity = identityOf(provider, scope);
  const { row, created } = await storeSecret(env, db, actor, identity, req.value, req.adminOnly);
  forgetCachedModelKeys();
  await recordAudit(db, actor.tenantId, actor, {
    action: "model_account.set",
    target: { type: "model_account", id: `tenant:${identity.scope}:${identity.repoKey}:${provider}` },
    detail: { owner: "tenant", provider, repo: scope.repo ?? null, adminOnly: row.adminOnly, created },
  });
  const account: TenantModelAccountMeta = {
    provider,
    kind: "api_key",
    hint: modelAccountHint(req.value),
    scope: row.scope,
    repo: row.scope === "repo" ? row.repoKey : null,
    adminOnly: row.adminOnly,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  return { account, created };
}

export async function deleteTenantAccount(
  env: Bindings,
  actor: Actor,
  provider: ModelProvider,
  scope: TenantModelAccountQuery,
): Promise<void> {
  const db = openDatabase(env.DB);
  const identity = identityOf(provider, scope);
  if (!(await deleteSecretRow(db, actor.tenantId, identity))) {
    throw AppError.notFound(
      `the tenant's ${provider} model account${scope.repo ? ` for ${scope.repo}` : ""}`,
    );
  }
  forgetCachedModelKeys();
  await recordAudit(db, actor.tenantId, actor, {
    action: "model_account.deleted",
    target: { type: "model_account", id: `tenant:${identity.scope}:${identity.repoKey}:${provider}` },
    detail: { owner: "tenant", provider, repo: scope.repo ?? null },
  });
}
