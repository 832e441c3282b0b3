/**
 * The banner every signed-in page shows while the tenant is past its monthly budget's soft warning
 * (or at the hard stop, when new sessions are refused). Quiet otherwise, and quiet when the status
 * cannot be read: the banner is advice, the server enforces the budget.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { isAdmin } from "../auth/auth-api";
import { useAuth } from "../auth/auth-context";
import { budgetKeys, getBudgetStatus } from "./budget-api";

const usd = (n: number) => `$${n.toFixed(2)}`;

/** How often the banner looks again: spend moves with every model call. */
const REFRESH_MS = 60_000;

export function BudgetBanner() {
  const { tenant } = useAuth();
  const status = useQuery({
    queryKey: [...budgetKeys.status, tenant.id],
    queryFn: getBudgetStatus,
    refetchInterval: REFRESH_MS,
  });
  const data = status.data;
  if (!data || data.state === "ok" || data.monthlyUsd === null) return null;
  const figures = `${usd(data.spentUsd)} of ${usd(data.monthlyUsd)} for ${data.period}`;
  const percent = `${Math.floor(data.percentUsed ?? 0)}%`;
  const exhausted = data.state === "exhausted";
  return (
    <div
      className={`card notice budget-banner ${exhausted ? "notice-error" : "budget-warning"}`}
      role="status"
    >
      <p>
        <strong>{exhausted ? "Monthly budget used up." : "Monthly budget warning."}</strong>{" "}
        {exhausted
          ? `${tenant.name} has spent ${figures} (${percent}). New sessions and model calls are refused until next month or until the budget is raised.`
          : `${tenant.name} has spent ${figures} (${percent}, warning at ${data.warnAtPercent}%).`}
      </p>
      {isAdmin(tenant.role) ? (
        <Link className="button" to="/settings/budget">
          Budget settings
        </Link>
      ) : null}
    </div>
  );
}
