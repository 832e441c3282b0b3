/**
 * API key use cases. A key is shown once at creation; it acts in one tenant with a role no higher
 * than its creator's (checked at creation and again on every use). Members see and revoke their
 * own keys; admins all of the tenant's.
 */
import type {
  ApiKey,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  ListApiKeysResponse,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import {
  type ApiKeyRow,
  findApiKey,
  insertApiKey,
  listApiKeys as listApiKeyRows,
  revokeApiKey as revokeApiKeyRow,
} from "../db/repositories/api-keys";
import { getAutomation } from "../db/repositories/automations";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { generateApiKey } from "../tenancy/api-key-format";
import { authorize, can, roleAtLeast } from "../tenancy/permissions";

const DAY_MS = 24 * 60 * 60 * 1000;

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    createdBy: row.userId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    ...(row.scope ? { scope: row.scope } : {}),
  };
}

/**
 * A scoped key only triggers automations, which act with their own member's access; making one is
 * managing automations (admins), and one named for an automation needs that automation here.
 */
async function checkScope(env: Bindings, actor: Actor, scope: string | undefined): Promise<void> {
  if (!scope) return;
  authorize(actor, "automation.manage");
  const automationId = scope.split(":")[2];
  if (automationId && !(await getAutomation(openDatabase(env.DB), actor.tenantId, automationId)))
    throw AppError.notFound(`automation ${automationId}`);
}

export async function createApiKey(
  env: Bindings,
  actor: Actor,
  req: CreateApiKeyRequest,
): Promise<CreateApiKeyResponse> {
  if (actor.via === "api_key") {
    // A leaked key must not be able to mint itself successors.
    throw new AppError("forbidden", "API keys cannot create API keys; sign in to create one");
  }
  const role = req.role ?? actor.role;
  if (!roleAtLeast(actor.role, role)) {
    throw new AppError("forbidden", `a key's role cannot be above your own (${actor.role})`);
  }
  await checkScope(env, actor, req.scope);
  const now = new Date();
  const material = await generateApiKey();
  const row = await insertApiKey(openDatabase(env.DB), actor.tenantId, {
    id: ulid(now.getTime()).toLowerCase(),
    userId: actor.userId,
    name: req.name,
    prefix: material.prefix,
    hash: material.hash,
    role,
    scope: req.scope ?? null,
    createdAt: now.toISOString(),
    expiresAt: req.expiresInDays ? new Date(now.getTime() + req.expiresInDays * DAY_MS).toISOString() : null,
  });
  await recordAudit(openDatabase(env.DB), actor.tenantId, actor, {
    action: "api_key.created",
    target: { type: "api_key", id: row.id },
    detail: { name: row.name, prefix: row.prefix, role, ...(row.scope ? { scope: row.scope } : {}) },
  });
  return { apiKey: toApiKey(row), key: material.key };
}

export async function listApiKeys(env: Bindings, actor: Actor): Promise<ListApiKeysResponse> {
  const rows = await listApiKeyRows(openDatabase(env.DB), actor.tenantId, {
    userId: can(actor.role, "api_key.read_all") ? undefined : actor.userId,
  });
  return { apiKeys: rows.map(toApiKey) };
}

export async function revokeApiKey(env: Bindings, actor: Actor, keyId: string): Promise<ApiKey> {
  const db = openDatabase(env.DB);
  const key = await findApiKey(db, actor.tenantId, keyId);
  if (!key) throw AppError.notFound(`API key ${keyId.slice(0, 64)}`);
  if (key.userId !== actor.userId) authorize(actor, "api_key.revoke_any");
  const revoked = await revokeApiKeyRow(db, actor.tenantId, keyId, new Date().toISOString());
  if (!revoked) return toApiKey(key); // already revoked: nothing changes
  await recordAudit(db, actor.tenantId, actor, {
    action: "api_key.revoked",
    target: { type: "api_key", id: keyId },
    detail: { name: key.name, prefix: key.prefix },
  });
  return toApiKey(revoked);
}
