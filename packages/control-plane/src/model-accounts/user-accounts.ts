/**
 * A user's own model accounts in the current tenant: listed without values, set and deleted only
 * by their owner (the actor), audited. Every write clears the gateway's credential cache, so the
 * next model call of the owner's sessions uses the new account, or falls back, at once.
 */
import {
  type ListModelAccountsResponse,
  type ModelAccountKind,
  type ModelAccountMeta,
  type ModelProvider,
  modelAccountHint,
  modelAccountProblem,
  type PutModelAccountRequest,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import {
  deleteUserAccount,
  listUserAccounts,
  putUserAccount,
  type UserModelAccountMetaRow,
} from "../db/repositories/model-accounts";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { forgetCachedModelKeys, subscriptionTokensAllowed } from "../model-gateway/credentials";
import { keyring } from "../services/secrets";
import { sealUserAccount } from "./account-vault";

function toMeta(row: UserModelAccountMetaRow): ModelAccountMeta {
  return {
    provider: row.provider as ModelProvider,
    kind: row.kind as ModelAccountKind,
    hint: row.hint,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const targetOf = (actor: Actor, provider: ModelProvider) => ({
  type: "model_account",
  id: `user:${actor.userId}:${provider}`,
});

export async function listMyAccounts(env: Bindings, actor: Actor): Promise<ListModelAccountsResponse> {
  const rows = await listUserAccounts(openDatabase(env.DB), actor.tenantId, actor.userId);
  return { accounts: rows.map(toMeta) };
}

export async function putMyAccount(
  env: Bindings,
  actor: Actor,
  provider: ModelProvider,
  req: PutModelAccountRequest,
): Promise<{ account: ModelAccountMeta; created: boolean }> {
  const problem = modelAccountProblem(provider, req.kind, req.value);
  if (problem) throw new AppError("invalid_request", problem);
  if (req.kind === "subscription_token" && !subscriptionTokensAllowed(env))
    throw new AppError(
      "invalid_request",
      "this deployment does not accept Claude subscription tokens (Anthropic's terms tie them to ordinary use of Claude Code by the subscriber); add an API key instead, or ask the operator about ALLOW_SUBSCRIPTION_TOKENS",
    );
  const db = openDatabase(env.DB);
  const ciphertext = await sealUserAccount(db, await keyring(env), actor, provider, req.kind, req.value);
  const { row, created } = await putUserAccount(db, actor.tenantId, {
    id: ulid().toLowerCase(),
    userId: actor.userId,
    provider,
    kind: req.kind,
    ciphertext,
    hint: modelAccountHint(req.value),
    now: new Date().toISOString(),
  });
  forgetCachedModelKeys();
  await recordAudit(db, actor.tenantId, actor, {
    action: "model_account.set",
    target: targetOf(actor, provider),
    detail: { owner: "user", provider, kind: req.kind, created },
  });
  return { account: toMeta(row), created };
}

export async function deleteMyAccount(env: Bindings, actor: Actor, provider: ModelProvider): Promise<void> {
  const db = openDatabase(env.DB);
  if (!(await deleteUserAccount(db, actor.tenantId, actor.userId, provider))) {
    throw AppError.notFound(`your ${provider} model account`);
  }
  forgetCachedModelKeys();
  await recordAudit(db, actor.tenantId, actor, {
    action: "model_account.deleted",
    target: targetOf(actor, provider),
    detail: { owner: "user", provider },
  });
}
