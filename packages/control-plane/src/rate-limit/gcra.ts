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

/** How much of what a bucket could admit right now one lease may take: a quarter. */
const LEASE_SHARE = 4;

export type GcraLease =
  | { allowed: true; tat: number; granted: number }
  | { allowed: false; retryAfterMs: number };

/**
 * Admits up to `want` requests at once, for a caller that hands them out itself (leases.ts). With
 * `want` 1 it decides exactly as `gcra`. More than one is granted only out of a quarter of what
 * the bucket could admit now, so a lease never takes a bucket's last requests from other callers;
 * every granted request is charged to the bucket, so leases can only ever admit fewer, never more.
 */
export function gcraLease(tat: number | null, p: GcraParams, want: number): GcraLease {
  const one = gcra(tat, p);
  if (!one.allowed) return one;
  const start = Math.max(tat ?? p.now, p.now);
  const admissible = Math.floor((p.now + p.toleranceMs - start) / p.intervalMs);
  const granted = Math.max(1, Math.min(Math.floor(want), Math.floor(admissible / LEASE_SHARE)));
  return { allowed: true, tat: start + granted * p.intervalMs, granted };
}
