/**
 * The session's side of the slot pool: ask for a slot before starting a sandbox, renew it while
 * the sandbox lives, give it back when the sandbox ends, and remember the place in line to show.
 * The SessionAgent owns the lifecycle; this only talks to the pool and says what happened.
 */
import { type AgentEvent, TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Bindings } from "../env";
import { type LifecycleInput, WAITING_FOR_SLOT } from "../session/lifecycle";
import type { MetaStore } from "../session/meta-store";
import type { Scheduler } from "../session/scheduler";
import type { SessionMeta } from "../session/store";
import { type SlotPolicy, slotPolicyFrom } from "./limits";
import { LEASE_RENEW_MS } from "./slots";

/** An idle session whose slot another session waits for releases its sandbox after this long. */
export const IDLE_YIELD_MS = 60_000;

/**
 * The deployment's idle yield: `SANDBOX_IDLE_YIELD_SECONDS` (1–3600) when set and valid, else
 * IDLE_YIELD_MS. End-to-end suites shorten it; a deployment may tune how long a waiting session waits.
 */
export function idleYieldMs(env: Pick<Bindings, "SANDBOX_IDLE_YIELD_SECONDS">): number {
  const seconds = Number(env.SANDBOX_IDLE_YIELD_SECONDS);
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= 3600 ? seconds * 1000 : IDLE_YIELD_MS;
}
export const IDLE_YIELD_REASON =
  "idle while other sessions waited for a sandbox: the sandbox was released for them";

export interface SlotStep {
  input?: LifecycleInput;
  events: AgentEvent[];
}

export class SessionSlot {
  constructor(
    private readonly env: Bindings,
    private readonly store: MetaStore,
    private readonly scheduler: Pick<Scheduler, "set">,
    /** The idle release the session uses when nobody waits for its slot (timeouts.ts). */
    private readonly idleReleaseMs: number,
    private readonly now: () => number,
  ) {}

  private meta(): SessionMeta {
    const meta = this.store.get("session.meta");
    if (!meta) throw new Error("session is not initialized");
    return meta;
  }

  /** The pool the session was created in; sessions from before pools existed use the deployment's. */
  private policy(meta: SessionMeta): SlotPolicy {
    return meta.slots ?? slotPolicyFrom(this.env);
  }

  private pool(meta: SessionMeta) {
    return this.env.SANDBOX_SLOTS.getByName(this.policy(meta).pool);
  }

  /** Asks for a slot (harmless to repeat): granted now, or the place in line to show. */
  async request(): Promise<SlotStep> {
    const meta = this.meta();
    if (!WAITING_FOR_SLOT.has(meta.status)) return { events: [] };
    const { total, perTenant } = this.policy(meta);
    const answer = await this.pool(meta).acquire({
      sessionId: meta.sessionId,
      tenantId: meta.tenantId,
      limits: { total, perTenant },
    });
    // The pool may have called back (granted) or the session stopped while we waited.
    if (!WAITING_FOR_SLOT.has(this.meta().status)) return { events: [] };
    if (answer.granted) return { input: this.granted(), events: [] };
    return { events: this.moveTo(answer.position) };
  }

  /** The slot is ours: forget the place in line and start renewing the lease. */
  granted(): LifecycleInput {
    this.store.delete("slot.queue_position");
    this.scheduler.set("slot.renew", this.now() + LEASE_RENEW_MS);
    return { kind: "slot.granted" };
  }

  /** A new place in line while queued; the event to publish when it changed. */
  moveTo(position: number): AgentEvent[] {
    if (!WAITING_FOR_SLOT.has(this.meta().status)) return [];
    if (this.store.get("slot.queue_position") === position) return [];
    this.store.set("slot.queue_position", position);
    return [{ type: "session.queue", position }];
  }

  /** The place in line while queued, or null. */
  position(): number | null {
    const meta = this.store.get("session.meta");
    const position = this.store.get("slot.queue_position");
    return meta && WAITING_FOR_SLOT.has(meta.status) ? position : null;
  }

  /** On the renewal deadline: a session that holds (or is starting) a sandbox keeps its lease. */
  async renew(): Promise<void> {
    const meta = this.meta();
    if (meta.status === "queued" || meta.status === "paused" || TERMINAL_STATUSES.has(meta.status)) return;
    await this.pool(meta).renew(meta.sessionId, meta.tenantId);
    this.scheduler.set("slot.renew", this.now() + LEASE_RENEW_MS);
  }

  /** The pool says whether someone waits for this session's slot; an idle session acts on it now. */
  wanted(wanted: boolean): void {
    if (wanted) this.store.set("slot.wanted", true);
    else this.store.delete("slot.wanted");
    if (this.store.get("session.meta")?.status === "idle") this.scheduleIdleRelease(wanted);
  }

  /** After the lifecycle moved: a session that turns idle while its slot is wanted yields it soon. */
  statusChanged(status: SessionMeta["status"]): void {
    if (status === "idle" && this.isWanted()) this.scheduleIdleRelease(true);
  }

  /** Why an idle session is being completed, when it is because others wait. */
  idleReason(): { reason?: string } {
    return this.isWanted() ? { reason: IDLE_YIELD_REASON } : {};
  }

  private isWanted(): boolean {
    return this.store.get("slot.wanted") === true;
  }

  private scheduleIdleRelease(wanted: boolean): void {
    this.scheduler.set("idle.stop", this.now() + (wanted ? idleYieldMs(this.env) : this.idleReleaseMs));
  }

  /** The provider was full: the pool puts the session back in line at its old place. */
  async providerFull(): Promise<AgentEvent[]> {
    const meta = this.meta();
    const { position } = await this.pool(meta).providerFull(meta.sessionId, meta.tenantId);
    // Recorded now, before the lifecycle has moved the session back to queued.
    this.store.set("slot.queue_position", position);
    return [{ type: "session.queue", position }];
  }

  /** The sandbox ended (or the session stopped waiting): the slot, or the place in line, goes back. */
  async release(): Promise<void> {
    const meta = this.meta();
    this.store.delete("slot.queue_position");
    this.store.delete("slot.wanted");
    await this.pool(meta).release(meta.sessionId);
  }
}
