/**
 * SandboxSlots: one Durable Object per slot pool (idFromName(pool)) that leases sandbox slots to
 * sessions. A session asks for a slot before its sandbox starts; when none is free it waits in a
 * fair queue (policy.ts) and is called back (DO RPC) the moment one frees. Leases end when the
 * session releases them or when it stops renewing them (the alarm), so a session that vanished
 * cannot keep a slot. A provider that is full although slots looked free (something else uses
 * the host) puts the session back at its place in line and pauses grants for a backoff.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import type { Bindings } from "../env";
import {
  arrivalRound,
  type Holder,
  nextGrants,
  providerFullBackoffMs,
  queuePositions,
  type SlotLimits,
  wantedHolders,
} from "./policy";
import { SlotStore } from "./slot-store";

/** A lease lives this long unless renewed; sessions renew every LEASE_RENEW_MS. */
export const LEASE_TTL_MS = 3 * 60_000;
export const LEASE_RENEW_MS = 60_000;

export type SlotAnswer = { granted: true } | { granted: false; position: number };

const Id = z.string().min(1).max(200);
const SlotRequest = z.object({
  sessionId: Id,
  tenantId: Id,
  limits: z.object({ total: z.number().int().min(1), perTenant: z.number().int().min(1) }),
});
export type SlotRequest = z.infer<typeof SlotRequest>;

export class SandboxSlots extends DurableObject<Bindings> {
  private readonly slots: SlotStore;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.slots = new SlotStore(ctx.storage.sql);
  }

  /** Takes a slot now, or joins the line and learns its place. Asking again is harmless. */
  async acquire(request: SlotRequest): Promise<SlotAnswer> {
    const { sessionId, tenantId, limits } = SlotRequest.parse(request);
    this.slots.setLimits(limits);
    const lease = this.slots.lease(sessionId);
    if (lease) {
      this.slots.putLease(lease, lease, Date.now() + LEASE_TTL_MS);
      return { granted: true };
    }
    if (!this.slots.isWaiting(sessionId)) {
      const round = arrivalRound(this.slots.waiting(), tenantId, this.slots.round());
      this.slots.addWaiter({ sessionId, tenantId, round, seq: this.slots.nextSeq() });
    }
    const granted = this.grantFreeSlots();
    const answer: SlotAnswer = granted.some((g) => g.sessionId === sessionId)
      ? { granted: true }
      : { granted: false, position: this.positionOf(sessionId) };
    if (!answer.granted) this.slots.setToldPosition(sessionId, answer.position);
    await this.announce(granted.filter((g) => g.sessionId !== sessionId));
    await this.signalDemand();
    await this.scheduleAlarm();
    return answer;
  }

  /** The session still holds its sandbox: extend the lease (or record it again if it lapsed). */
  async renew(sessionId: string, tenantId: string): Promise<void> {
    const holder = { sessionId: Id.parse(sessionId), tenantId: Id.parse(tenantId) };
    const stamp = this.slots.lease(sessionId) ?? { round: this.slots.round(), seq: this.slots.nextSeq() };
    this.slots.putLease(holder, stamp, Date.now() + LEASE_TTL_MS);
    this.slots.dropWaiter(sessionId);
    await this.scheduleAlarm();
  }

  /** The session's sandbox ended, or it stopped waiting: free its slot or its place in line. */
  async release(sessionId: string): Promise<void> {
    const freed = this.slots.dropLease(Id.parse(sessionId));
    this.slots.dropWaiter(sessionId);
    // A slot really freed on the host: whatever pause a refusal started no longer applies.
    if (freed) this.slots.pause(0, 0);
    await this.rebalance();
  }

  /** The provider refused the start because it is full: back at the same place, grants paused. */
  async providerFull(sessionId: string, tenantId: string): Promise<{ position: number }> {
    const holder = { sessionId: Id.parse(sessionId), tenantId: Id.parse(tenantId) };
    const stamp = this.slots.lease(sessionId) ?? { round: this.slots.round(), seq: this.slots.nextSeq() };
    this.slots.dropLease(sessionId);
    this.slots.addWaiter({ ...holder, round: stamp.round, seq: stamp.seq });
    const refusals = this.slots.refusals() + 1;
    this.slots.pause(Date.now() + providerFullBackoffMs(refusals), refusals);
    const position = this.positionOf(sessionId);
    this.slots.setToldPosition(sessionId, position);
    await this.rebalance();
    return { position };
  }

  /** How full the pool is (for operators and tests). */
  async usage(): Promise<{ held: number; waiting: number; limits: SlotLimits | null }> {
    return {
      held: this.slots.leases().length,
      waiting: this.slots.waiting().length,
      limits: this.slots.limits(),
    };
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const lease of this.slots.leases()) {
      if (lease.expiresAt <= now) this.slots.dropLease(lease.sessionId);
    }
    await this.rebalance();
  }

  /** Grants what is free, tells the granted and everyone whose place changed, sets the alarm. */
  private async rebalance(): Promise<void> {
    await this.announce(this.grantFreeSlots());
    await this.signalDemand();
    await this.scheduleAlarm();
  }

  /**
   * Tells holders when someone starts or stops waiting for their slot, once per change: an idle
   * session whose slot is wanted releases its sandbox soon instead of holding it for the full
   * idle period.
   */
  private async signalDemand(): Promise<void> {
    const limits = this.slots.limits();
    if (!limits) return;
    const leases = this.slots.leases();
    const wanted = wantedHolders(this.slots.waiting(), leases, limits);
    const changed = leases.filter((l) => l.wanted !== wanted.has(l.sessionId));
    for (const l of changed) this.slots.setWanted(l.sessionId, wanted.has(l.sessionId));
    await Promise.allSettled(
      changed.map((l) =>
        this.env.SESSION_AGENT.getByName(l.sessionId).slotWanted(l.tenantId, wanted.has(l.sessionId)),
      ),
    );
  }

  /** Moves the waiters the policy picks into leases. Synchronous, so no slot is granted twice. */
  private grantFreeSlots(): Holder[] {
    const now = Date.now();
    const limits = this.slots.limits();
    if (!limits || this.slots.pausedUntil() > now) return [];
    const granted = nextGrants(this.slots.waiting(), this.slots.leases(), limits);
    for (const w of granted) {
      this.slots.dropWaiter(w.sessionId);
      this.slots.putLease(w, w, now + LEASE_TTL_MS);
      this.slots.advanceRound(w.round);
    }
    return granted;
  }

  private positionOf(sessionId: string): number {
    return queuePositions(this.slots.waiting()).get(sessionId) ?? 1;
  }

  /**
   * Calls each granted session back; one that no longer wants the slot (it ended, or never
   * existed) gives it up and the next in line is granted. Then tells the waiters whose place
   * in line changed. Bounded: each round removes at least one waiter or ends.
   */
  private async announce(granted: Holder[]): Promise<void> {
    let pending = granted;
    while (pending.length > 0) {
      const answers = await Promise.all(pending.map((g) => this.offer(g)));
      let declined = false;
      for (const [i, accepted] of answers.entries()) {
        if (!accepted && this.slots.dropLease(pending[i]!.sessionId)) declined = true;
      }
      pending = declined ? this.grantFreeSlots() : [];
    }
    const positions = queuePositions(this.slots.waiting());
    const moved = this.slots.waiting().filter((w) => positions.get(w.sessionId) !== w.toldPosition);
    for (const w of moved) this.slots.setToldPosition(w.sessionId, positions.get(w.sessionId)!);
    await Promise.allSettled(
      moved.map((w) =>
        this.env.SESSION_AGENT.getByName(w.sessionId).slotQueuePosition(
          w.tenantId,
          positions.get(w.sessionId)!,
        ),
      ),
    );
  }

  private async offer(holder: Holder): Promise<boolean> {
    try {
      return await this.env.SESSION_AGENT.getByName(holder.sessionId).slotGranted(holder.tenantId);
    } catch {
      // Unreachable right now: the lease expires unless the session renews it, and a session
      // still waiting asks again on its own (its watchdog), finding the lease granted.
      return true;
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const wakes = this.slots.leases().map((l) => l.expiresAt);
    const paused = this.slots.pausedUntil();
    if (paused > Date.now() && this.slots.waiting().length > 0) wakes.push(paused);
    if (wakes.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...wakes));
  }
}
