/**
 * Reconnect delays: the protocol's backoffDelay with full jitter (a uniform pick between 0 and
 * the capped exponential), so many sandboxes that lost the control plane at once do not return
 * in lockstep. This class only counts the failed attempts; reset after a connection succeeds.
 */
import { backoffDelay } from "@nightshift/protocol";

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts as one more failed attempt. */
  next(): number {
    const { baseMs, capMs } = this.options;
    const delay = backoffDelay({ attempt: this.attempt, baseMs, capMs, jitter: "full", random: this.random });
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
