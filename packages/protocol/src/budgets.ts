/**
 * The tenant's monthly budget as members see it (the dashboard's banner): what has been spent this
 * calendar month (UTC), the hard budget, and whether the soft warning or the hard stop applies.
 */
import { z } from "zod";

/** The soft warning's threshold when a tenant sets a monthly budget but no percentage. */
export const DEFAULT_MONTHLY_WARN_PERCENT = 80;

export const BUDGET_STATES = ["ok", "warning", "exhausted"] as const;
export const BudgetState = z.enum(BUDGET_STATES);
export type BudgetState = z.infer<typeof BudgetState>;

/** GET /api/v1/tenants/:tenantId/budget: the month's spend against the budget (members read). */
export const TenantBudgetStatus = z.object({
  /** `YYYY-MM`, UTC: the month the spend counts against. */
  period: z.string().regex(/^\d{4}-\d{2}$/),
  spentUsd: z.number().nonnegative(),
  /** The hard budget; null when the tenant has none. */
  monthlyUsd: z.number().nonnegative().nullable(),
  warnAtPercent: z.number().int().min(1).max(100),
  /** spentUsd as a percentage of monthlyUsd; null without a budget. */
  percentUsed: z.number().nonnegative().nullable(),
  state: BudgetState,
});
export type TenantBudgetStatus = z.infer<typeof TenantBudgetStatus>;

/** A session's caps beyond its model spend: how many turns (prompts) it may run and for how long. */
export const MAX_SESSION_TURNS = 10_000;
/** A week: no session runs longer, capped or not. */
export const MAX_SESSION_MINUTES = 7 * 24 * 60;

export const SessionLimits = z.strictObject({
  /** Prompts (turns) the session may run, the first included; the next prompt is refused. */
  maxTurns: z.number().int().min(1).max(MAX_SESSION_TURNS).optional(),
  /** Minutes from the session's start; then its running turn is cancelled and it stops. */
  maxMinutes: z.number().int().min(1).max(MAX_SESSION_MINUTES).optional(),
});
export type SessionLimits = z.infer<typeof SessionLimits>;
