/**
 * Spend caps: a call is refused before it is forwarded once the session's or the tenant's
 * month-to-date gateway spend is at or over its cap. A call already under way is not cut off, so
 * spend can pass a cap by at most the calls in flight when it was reached.
 */
import type { BudgetSettings } from "@nightshift/protocol";
import { monthOf, monthSpendUsd, sessionSpendUsd } from "../budgets/usage-meters";
import type { Bindings } from "../env";

/**
 * 402 Payment Required: Claude Code neither retries it nor treats it as a bad key (checked against
 * the scripted model: one call, the turn ends with the message; 429 and 5xx would be retried, 401
 * retried ten times). OpenAI's and Google's clients also end on a 4xx other than 408/409/429.
 */
export const BUDGET_REFUSAL_STATUS = 402;

const usd = (n: number) => `$${n.toFixed(2)}`;

export function hasCap(budget: BudgetSettings): boolean {
  return budget.sessionUsd !== undefined || budget.monthlyUsd !== undefined;
}

/**
 * Why this call may not go out, or null when it may. Reads the session's DO for a session cap and
 * the tenant's meter DO for a month cap, at once, only for the caps that are set; no D1 query.
 */
export async function budgetRefusal(
  env: Bindings,
  budget: BudgetSettings,
  tenantId: string,
  sessionId: string,
  now: Date,
): Promise<string | null> {
  if (!hasCap(budget)) return null;
  const [sessionUsd, monthUsd] = await Promise.all([
    budget.sessionUsd !== undefined ? sessionSpendUsd(env, tenantId, sessionId) : 0,
    budget.monthlyUsd !== undefined ? monthSpendUsd(env, tenantId, monthOf(now)) : 0,
  ]);
  const spent = { sessionUsd, monthUsd };
  if (budget.sessionUsd !== undefined && spent.sessionUsd >= budget.sessionUsd) {
    return (
      `Nightshift budget exhausted: this session has spent ${usd(spent.sessionUsd)} of its ` +
      `${usd(budget.sessionUsd)} model budget. A tenant admin can raise it in Settings → Budget.`
    );
  }
  if (budget.monthlyUsd !== undefined && spent.monthUsd >= budget.monthlyUsd) {
    return (
      `Nightshift budget exhausted: this tenant has spent ${usd(spent.monthUsd)} of its ` +
      `${usd(budget.monthlyUsd)} monthly model budget. A tenant admin can raise it in Settings → Budget.`
    );
  }
  return null;
}
