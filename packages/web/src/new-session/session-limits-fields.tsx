/**
 * New session → Advanced: this session's caps (max turns, wall time). Empty fields take the
 * tenant's caps from Settings → Budget; the server refuses a cap looser than the tenant's.
 */
import type { SessionLimits } from "@nightshift/protocol";
import { useId } from "react";

export interface LimitsDraft {
  maxTurns: string;
  maxMinutes: string;
}

export const NO_LIMITS: LimitsDraft = { maxTurns: "", maxMinutes: "" };

/** The draft as the request's `limits` (numbers, empty fields left out), or undefined when empty. */
export function limitsOf(draft: LimitsDraft): Record<keyof SessionLimits, number> | undefined {
  const out: Partial<Record<keyof SessionLimits, number>> = {};
  for (const key of ["maxTurns", "maxMinutes"] as const) {
    const text = draft[key].trim();
    if (text !== "") out[key] = Number(text);
  }
  return Object.keys(out).length > 0 ? (out as Record<keyof SessionLimits, number>) : undefined;
}

export function SessionLimitsFields({
  value,
  onChange,
}: {
  value: LimitsDraft;
  onChange: (next: LimitsDraft) => void;
}) {
  const turnsId = useId();
  const minutesId = useId();
  return (
    <details className="field">
      <summary>Advanced: limits</summary>
      <p className="muted small">Empty: the tenant's caps (Settings → Budget). You can only tighten them.</p>
      <div className="field">
        <label htmlFor={turnsId}>Max turns</label>
        <input
          id={turnsId}
          type="number"
          min="1"
          step="1"
          inputMode="numeric"
          placeholder="Tenant's cap"
          value={value.maxTurns}
          onChange={(e) => onChange({ ...value, maxTurns: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={minutesId}>Max wall time (minutes)</label>
        <input
          id={minutesId}
          type="number"
          min="1"
          step="1"
          inputMode="numeric"
          placeholder="Tenant's cap"
          value={value.maxMinutes}
          onChange={(e) => onChange({ ...value, maxMinutes: e.target.value })}
        />
      </div>
    </details>
  );
}
