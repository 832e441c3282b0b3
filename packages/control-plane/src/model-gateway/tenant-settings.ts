/**
 * The gateway's tenant settings API (owners and admins; audited) and a session's gateway usage
 * (anyone who may read the session). Every read and write is scoped by the caller's tenant.
 */
import type { BudgetSettings, ModelSettings, SessionModelUsage } from "@nightshift/protocol";
import { recordAudit } from "../audit/record";
import { sessionUsageOf } from "../budgets/usage-meters";
import { openDatabase } from "../db/client";
import {
  putBudgetSettings,
  putModelSettings,
  readGatewaySettings,
} from "../db/repositories/gateway-settings";
import { findSession } from "../db/repositories/sessions";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { forgetCachedGatewaySettings } from "./forward";

export async function getModelSettings(env: Bindings, actor: Actor): Promise<ModelSettings> {
  return (await readGatewaySettings(openDatabase(env.DB), actor.tenantId)).model;
}

export async function setModelSettings(
  env: Bindings,
  actor: Actor,
  value: ModelSettings,
): Promise<ModelSettings> {
  const db = openDatabase(env.DB);
  await putModelSettings(db, actor.tenantId, value, actor.userId);
  forgetCachedGatewaySettings();
  await recordAudit(db, actor.tenantId, actor, {
    action: "settings.model_changed",
    target: { type: "tenant", id: actor.tenantId },
    // Hosts only: a base URL's path could name something private, and hosts say what changed.
    detail: Object.fromEntries(
      Object.entries(value.baseUrls).map(([provider, url]) => [provider, new URL(url).host]),
    ),
  });
  return value;
}

export async function getBudgetSettings(env: Bindings, actor: Actor): Promise<BudgetSettings> {
  return (await readGatewaySettings(openDatabase(env.DB), actor.tenantId)).budget;
}

export async function setBudgetSettings(
  env: Bindings,
  actor: Actor,
  value: BudgetSettings,
): Promise<BudgetSettings> {
  const db = openDatabase(env.DB);
  await putBudgetSettings(db, actor.tenantId, value, actor.userId);
  forgetCachedGatewaySettings();
  await recordAudit(db, actor.tenantId, actor, {
    action: "settings.budget_changed",
    target: { type: "tenant", id: actor.tenantId },
    detail: {
      sessionUsd: value.sessionUsd ?? "none",
      monthlyUsd: value.monthlyUsd ?? "none",
      monthlyWarnPercent: value.monthlyWarnPercent ?? "default",
      sessionMaxTurns: value.sessionMaxTurns ?? "none",
      sessionMaxMinutes: value.sessionMaxMinutes ?? "none",
    },
  });
  return value;
}

export async function getSessionUsage(
  env: Bindings,
  actor: Actor,
  sessionId: string,
): Promise<SessionModelUsage> {
  if (!(await findSession(openDatabase(env.DB), actor.tenantId, sessionId)))
    throw AppError.sessionNotFound(sessionId);
  // The calls live in the session's DO; one it never initialised has made none.
  const usage = await sessionUsageOf(env, actor.tenantId, sessionId);
  return usage ?? { sessionId, calls: 0, costUsd: 0, paidBy: [], byModel: [] };
}
