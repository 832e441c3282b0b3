/**
 * The tenant's monthly budget: a soft warning at a percentage of it and a hard stop at it. The hard
 * stop is enforced twice: the gateway refuses model calls (model-gateway/budget.ts) and
 * createSession refuses new sessions with 402 and the figures (budgetAtCreate), so every
 * entry point (API, dashboard, GitHub, Slack, Linear) is covered by one check.
 */
import {
  type BudgetSettings,
  type BudgetState,
  DEFAULT_MONTHLY_WARN_PERCENT,
  type SessionLimits,
  type TenantBudgetStatus,
} from "@nightshift/protocol";
import type { Database } from "../db/client";
import { readGatewaySettings } from "../db/repositories/gateway-settings";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { type SessionCaps, sessionCapsFor } from "./session-caps";
import { monthOf, monthSpendUsd } from "./usage-meters";

export const usd = (n: number) => `$${n.toFixed(2)}`;

/** The status for `spentUsd` against `budget` in `period`: pure, so the banner and the 402 agree. */
export function budgetStatusOf(budget: BudgetSettings, period: string, spentUsd: number): TenantBudgetStatus {
  const warnAtPercent = budget.monthlyWarnPercent ?? DEFAULT_MONTHLY_WARN_PERCENT;
  const monthlyUsd = budget.monthlyUsd ?? null;
  if (monthlyUsd === null)
    return { period, spentUsd, monthlyUsd, warnAtPercent, percentUsed: null, state: "ok" };
  // A zero budget is spent before anything is: exhausted, and 100 % rather than a division by zero.
  const percentUsed = monthlyUsd === 0 ? 100 : (spentUsd / monthlyUsd) * 100;
  let state: BudgetState = "ok";
  if (spentUsd >= monthlyUsd) state = "exhausted";
  else if (percentUsed >= warnAtPercent) state = "warning";
  return { period, spentUsd, monthlyUsd, warnAtPercent, percentUsed, state };
}

/** The month's spend comes from the tenant's meter DO, the budget from D1. */
export async function tenantBudgetStatus(
  env: Bindings,
  db: Database,
  tenantId: string,
  now: Date,
): Promise<TenantBudgetStatus> {
  const period = monthOf(now);
  const [{ budget }, spent] = await Promise.all([
    readGatewaySettings(db, tenantId),
    monthSpendUsd(env, tenantId, period),
  ]);
  return budgetStatusOf(budget, period, spent);
}

/** The message a person reads when a session is refused: spent, budget and period, and what to do. */
export function exhaustedMessage(status: TenantBudgetStatus): string {
  return (
    `This tenant's monthly budget is used up: ${usd(status.spentUsd)} spent of ` +
    `${usd(status.monthlyUsd ?? 0)} for ${status.period} (UTC). New sessions start again next month, ` +
    "or when a tenant admin raises the budget in Settings → Budget."
  );
}

/** The notice a session started past the soft warning carries at the top of its timeline. */
export function warningNotice(status: TenantBudgetStatus): string {
  return (
    `Budget warning: this tenant has spent ${usd(status.spentUsd)} of its ${usd(status.monthlyUsd ?? 0)} ` +
    `monthly budget for ${status.period} (${Math.floor(status.percentUsed ?? 0)}%, warning at ` +
    `${status.warnAtPercent}%). At the budget, new sessions and model calls are refused.\n`
  );
}

export interface BudgetAtCreate {
  status: TenantBudgetStatus;
  /** The new session's turn and wall-time caps (null: none). */
  caps: SessionCaps | null;
}

/**
 * A new session's budget: throws 402 budget_exhausted when the tenant is at or over its monthly
 * budget, 400 when the session asks for looser caps than the tenant's; otherwise the month's
 * status (so a warning can be passed on) and the session's caps. A D1 read and a read of the
 * tenant's meter DO, made at once.
 */
export async function budgetAtCreate(
  env: Bindings,
  db: Database,
  tenantId: string,
  limits: SessionLimits | undefined,
  now: Date,
): Promise<BudgetAtCreate> {
  const period = monthOf(now);
  const [{ budget }, spent] = await Promise.all([
    readGatewaySettings(db, tenantId),
    monthSpendUsd(env, tenantId, period),
  ]);
  const status = budgetStatusOf(budget, period, spent);
  if (status.state === "exhausted") throw new AppError("budget_exhausted", exhaustedMessage(status));
  return { status, caps: sessionCapsFor(budget, limits, now.getTime()) };
}
