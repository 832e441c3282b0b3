/**
 * Named deadlines multiplexed over the DO's single alarm. The scheduler stores deadlines and
 * reports the next wake-up; only the host sets the alarm. A deadline is deleted only after its
 * work succeeded: work that throws leaves it in place, moved later with exponential backoff, so
 * a transient failure (D1, the GitHub API, storage) delays the work instead of losing it.
 */
import { backoffDelay } from "@nightshift/protocol";
import type { SessionStore } from "./store";

export type DeadlineName =
  | "sandbox.start"
  | "sandbox.heartbeat"
  | "sandbox.terminate"
  | "turn.timeout"
  | "idle.stop"
  | "github.sync"
  | "slack.sync"
  | "linear.sync"
  | "slot.renew"
  | "index.sync"
  | "session.watchdog"
  | "snapshot.delete"
  | "warm.prebuild"
  | "usage.rollup"
  | "session.wall_time";

/** The first retry waits this long; each further failure doubles it, up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 5 * 60_000;

export type DeadlineWork = Partial<Record<DeadlineName, () => void | Promise<void>>>;

export interface DeadlineFailure {
  name: DeadlineName;
  attempt: number;
  retryAt: number;
  error: unknown;
}

type DeadlineStore = Pick<
  SessionStore,
  "setDeadline" | "clearDeadline" | "clearDeadlineAt" | "retryDeadline" | "deadlines"
>;

/** How long to wait before retrying work that has failed `attempt` times (1-based), with equal jitter. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  return backoffDelay({
    attempt: attempt - 1,
    baseMs: RETRY_BASE_MS,
    capMs: RETRY_MAX_MS,
    jitter: "equal",
    random,
  });
}

export class Scheduler {
  constructor(private readonly store: DeadlineStore) {}

  set(name: DeadlineName, at: number): void {
    this.store.setDeadline(name, at);
  }

  /** Sets the deadline unless it is already due at or before `at` (a later one moves earlier). */
  setNoLaterThan(name: DeadlineName, at: number): void {
    const existing = this.store.deadlines().find((d) => d.name === name);
    if (!existing || existing.at > at) this.store.setDeadline(name, at);
  }

  clear(name: DeadlineName): void {
    this.store.clearDeadline(name);
  }

  has(name: DeadlineName): boolean {
    return this.store.deadlines().some((d) => d.name === name);
  }

  /**
   * Runs the work of every deadline due at `now`, earliest first. A deadline is cleared when its
   * work returns (unless the work set it again); when the work throws it stays, moved to a
   * backoff time, and `onFailure` hears of it. Deadlines without work are dropped.
   */
  async runDue(
    now: number,
    work: DeadlineWork,
    onFailure: (failure: DeadlineFailure) => void,
  ): Promise<void> {
    for (const due of this.store.deadlines().filter((d) => d.at <= now)) {
      const name = due.name as DeadlineName;
      const run = work[name];
      if (!run) {
        this.store.clearDeadlineAt(due.name, due.at);
        continue;
      }
      try {
        await run();
        this.store.clearDeadlineAt(due.name, due.at);
      } catch (error) {
        const attempt = due.attempts + 1;
        const retryAt = now + retryDelay(attempt);
        this.store.retryDeadline(due.name, due.at, retryAt);
        onFailure({ name, attempt, retryAt, error });
      }
    }
  }

  /** When the alarm should next fire, or null when nothing is pending. */
  nextWake(): number | null {
    return this.store.deadlines()[0]?.at ?? null;
  }
}
