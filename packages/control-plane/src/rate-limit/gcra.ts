/**
 * The generic cell rate algorithm over one bucket's theoretical arrival time (TAT): a request is
 * admitted when, after adding its cost, the TAT runs at most `toleranceMs` ahead of now. Pure, so
 * the arithmetic is tested without a clock.
 */

export interface GcraParams {
  now: number;
  /** Milliseconds of budget one request costs (period / rate). */
  intervalMs: number;
  /** How far the theoretical arrival time may run ahead of now: interval × burst. */
  toleranceMs: number;
}

export type GcraDecision = { allowed: true; tat: number } | { allowed: false; retryAfterMs: number };

/** `tat`: the bucket's stored arrival time, or null for a bucket never used (or expired). */
export function gcra(tat: number | null, p: GcraParams): GcraDecision {
  const next = Math.max(tat ?? p.now, p.now) + p.intervalMs;
  if (next - p.now <= p.toleranceMs) return { allowed: true, tat: next };
  return { allowed: false, retryAfterMs: Math.max(0, next - p.now - p.toleranceMs) };
}
