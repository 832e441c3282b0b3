/**
 * The session's time limits as deadlines: sandbox connect and heartbeat (stale after
 * HEARTBEAT_STALE_MS of silence), the turn's wall clock, idle release, and the grace before a
 * finished sandbox is terminated.
 */
import type { SessionStatus } from "@nightshift/protocol";
import { TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Scheduler } from "./scheduler";

export const HEARTBEAT_STALE_MS = 45_000;
export const CONNECT_TIMEOUT_MS = 120_000;
export const TURN_LIMIT_MS = 31 * 60_000;
export const IDLE_RELEASE_MS = 30 * 60_000;
export const TERMINATE_GRACE_MS = 5_000;
/**
 * A sandbox whose bridge closed between turns and did not dial back within this long is gone
 * (the runtime redials within about a second, backing off to 10 s): the session pauses then,
 * not after the full heartbeat silence. Mid-turn a closed bridge waits the full HEARTBEAT_STALE_MS.
 */
export const BRIDGE_LOST_GRACE_MS = 15_000;
/** Refreshing the heartbeat deadline on every frame would write SQLite per event; every 10 s is enough. */
const HEARTBEAT_REFRESH_MS = 10_000;

export class SessionTimeouts {
  private lastHeartbeatWrite = 0;

  constructor(
    private readonly scheduler: Pick<Scheduler, "set" | "clear" | "has">,
    private readonly now: () => number,
  ) {}

  sandboxLaunched(): void {
    this.scheduler.set("sandbox.heartbeat", this.now() + CONNECT_TIMEOUT_MS);
    this.lastHeartbeatWrite = 0;
  }

  sandboxAlive(): void {
    const now = this.now();
    if (now - this.lastHeartbeatWrite < HEARTBEAT_REFRESH_MS) return;
    this.lastHeartbeatWrite = now;
    this.scheduler.set("sandbox.heartbeat", now + HEARTBEAT_STALE_MS);
  }

  /** The sandbox's socket closed between turns: unless it dials back within the grace, it is gone. */
  bridgeLost(): void {
    if (!this.scheduler.has("sandbox.heartbeat")) return;
    this.scheduler.set("sandbox.heartbeat", this.now() + BRIDGE_LOST_GRACE_MS);
    // The next frame from a redialled sandbox must move the deadline back out at once.
    this.lastHeartbeatWrite = 0;
  }

  turnStarted(): void {
    this.scheduler.set("turn.timeout", this.now() + TURN_LIMIT_MS);
  }

  turnEnded(): void {
    this.scheduler.clear("turn.timeout");
  }

  statusChanged(status: SessionStatus): void {
    if (status === "idle") this.scheduler.set("idle.stop", this.now() + IDLE_RELEASE_MS);
    else this.scheduler.clear("idle.stop");
    // Paused: no sandbox and no slot, so nothing of the old incarnation's may fire.
    if (TERMINAL_STATUSES.has(status) || status === "paused") {
      for (const name of ["sandbox.start", "sandbox.heartbeat", "turn.timeout", "slot.renew"] as const)
        this.scheduler.clear(name);
    }
  }

  releaseSandboxSoon(): void {
    this.scheduler.set("sandbox.terminate", this.now() + TERMINATE_GRACE_MS);
  }
}
