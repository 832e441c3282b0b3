/**
 * Named deadlines multiplexed over the DO's single alarm. The scheduler stores deadlines and
 * reports the next wake-up; only the host sets the alarm.
 */
import type { SessionStore } from "./store";

export type DeadlineName =
  | "sandbox.start"
  | "sandbox.heartbeat"
  | "sandbox.terminate"
  | "turn.timeout"
  | "idle.stop"
  | "github.sync";

export class Scheduler {
  constructor(private readonly store: Pick<SessionStore, "setDeadline" | "clearDeadline" | "deadlines">) {}

  set(name: DeadlineName, at: number): void {
    this.store.setDeadline(name, at);
  }

  clear(name: DeadlineName): void {
    this.store.clearDeadline(name);
  }

  /** Removes and returns the deadlines that are due at `now`, earliest first. */
  takeDue(now: number): DeadlineName[] {
    const due = this.store.deadlines().filter((d) => d.at <= now);
    for (const d of due) this.store.clearDeadline(d.name);
    return due.map((d) => d.name as DeadlineName);
  }

  /** When the alarm should next fire, or null when nothing is pending. */
  nextWake(): number | null {
    return this.store.deadlines()[0]?.at ?? null;
  }
}
