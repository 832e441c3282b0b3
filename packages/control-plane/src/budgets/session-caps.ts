/**
 * A session's caps beyond model spend: its turns and its wall time. The tenant's Settings → Budget
 * gives every session's caps; a session may ask for tighter ones at create, never looser (a member
 * must not lift a cap an admin set). The caps are fixed in the session's metadata when it starts.
 */
import type { BudgetSettings, SessionLimits } from "@nightshift/protocol";
import { z } from "zod";
import { AppError } from "../http/app-error";

/** What the session DO keeps: the caps, and the wall clock's end as epoch milliseconds. */
export const SessionCaps = z.object({
  maxTurns: z.number().int().positive().optional(),
  maxMinutes: z.number().int().positive().optional(),
  endsAt: z.number().int().optional(),
});
export type SessionCaps = z.infer<typeof SessionCaps>;

function capOf(
  what: string,
  tenantCap: number | undefined,
  asked: number | undefined,
  unit: string,
): number | undefined {
  if (asked === undefined) return tenantCap;
  if (tenantCap !== undefined && asked > tenantCap)
    throw new AppError(
      "invalid_request",
      `limits.${what} ${asked} is above this tenant's cap of ${tenantCap} ${unit} (Settings → Budget); ask for ${tenantCap} or fewer`,
    );
  return asked;
}

/** The session's caps from the tenant's and the request's; null when it has none. */
export function sessionCapsFor(
  budget: BudgetSettings,
  asked: SessionLimits | undefined,
  now: number,
): SessionCaps | null {
  const maxTurns = capOf("maxTurns", budget.sessionMaxTurns, asked?.maxTurns, "turns");
  const maxMinutes = capOf("maxMinutes", budget.sessionMaxMinutes, asked?.maxMinutes, "minutes");
  if (maxTurns === undefined && maxMinutes === undefined) return null;
  return {
    ...(maxTurns !== undefined ? { maxTurns } : {}),
    ...(maxMinutes !== undefined ? { maxMinutes, endsAt: now + maxMinutes * 60_000 } : {}),
  };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export function turnCapMessage(maxTurns: number): string {
  return (
    `This session has run its ${plural(maxTurns, "turn")} (its max turns cap) and takes no more prompts; ` +
    "start a new session to go on. A tenant admin sets the cap in Settings → Budget."
  );
}

export function wallTimeMessage(maxMinutes: number): string {
  return (
    `This session reached its wall-time cap of ${plural(maxMinutes, "minute")} and takes no more prompts; ` +
    "start a new session to go on. A tenant admin sets the cap in Settings → Budget."
  );
}
