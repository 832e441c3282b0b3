/**
 * The one exponential backoff formula: every retry delay computed from an attempt number (alarm
 * retries in the control plane, the sandbox bridge's reconnects, the dashboard's stream) comes
 * from here, so each differs only in its base, cap and jitter kind. Pure: randomness is injected.
 */

/**
 * How the delay is spread below its exponential ceiling, so many clients that failed together do
 * not retry in lockstep:
 * - "none": exactly the ceiling;
 * - "equal": uniform in [ceiling/2, ceiling) — never much sooner than planned;
 * - "full": uniform in [0, ceiling) — the widest spread.
 */
export type BackoffJitter = "equal" | "full" | "none";

export interface BackoffInput {
  /** Failures before this retry, counted from 0: the ceiling is `baseMs * 2 ** attempt`. */
  attempt: number;
  baseMs: number;
  capMs: number;
  jitter: BackoffJitter;
  /** A source in [0, 1); Math.random unless a test injects one. */
  random?: () => number;
}

/** Beyond this exponent every realistic ceiling is already at its cap; clamping avoids Infinity. */
const MAX_EXPONENT = 30;

/** The delay in whole milliseconds before retry number `attempt` (0-based). */
export function backoffDelay({ attempt, baseMs, capMs, jitter, random = Math.random }: BackoffInput): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  switch (jitter) {
    case "none":
      return Math.floor(ceiling);
    case "equal":
      return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
    case "full":
      return Math.floor(random() * ceiling);
  }
}
