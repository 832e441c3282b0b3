/**
 * The fair-share policy for sandbox slots, pure so every rule is unit-tested without a Durable
 * Object. Start-time fair queuing: each request is stamped on arrival with a round, one past
 * the later of the pool's current round and its tenant's last waiting request, and slots go in
 * round order (arrival order between equals). That is round-robin between tenants with waiting
 * sessions and FIFO within a tenant; a tenant that queues ten sessions gets rounds n..n+9, so a
 * tenant arriving later with one is served after the first of them, not after all ten. Stamps
 * never change once given, so a place in line only improves (or a later tenant's first request
 * slots in, once per round). A per-tenant cap keeps one tenant from holding every slot.
 */
import { backoffDelay } from "@nightshift/protocol";

export interface SlotLimits {
  /** Sandboxes the provider runs at once, for all tenants together. */
  total: number;
  /** Sandboxes one tenant may hold at once, so one tenant cannot take every slot. */
  perTenant: number;
}

export interface Waiter {
  sessionId: string;
  tenantId: string;
  /** The fair-queuing round the request was stamped with on arrival. */
  round: number;
  /** Arrival order, the tie-break within a round. */
  seq: number;
}

export interface Holder {
  sessionId: string;
  tenantId: string;
}

/** The round a tenant's new request is stamped with. */
export function arrivalRound(waiting: readonly Waiter[], tenantId: string, poolRound: number): number {
  const last = waiting.reduce((max, w) => (w.tenantId === tenantId ? Math.max(max, w.round) : max), 0);
  return Math.max(poolRound, last) + 1;
}

function countByTenant(holders: readonly Holder[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const h of holders) held.set(h.tenantId, (held.get(h.tenantId) ?? 0) + 1);
  return held;
}

/** Every waiting session in the order it will be served; index 0 is first in line. */
export function queueOrder(waiting: readonly Waiter[]): Waiter[] {
  return [...waiting].sort((a, b) => a.round - b.round || a.seq - b.seq);
}

/** 1-based places in line, by session id. */
export function queuePositions(waiting: readonly Waiter[]): Map<string, number> {
  return new Map(queueOrder(waiting).map((w, i) => [w.sessionId, i + 1]));
}

/**
 * Which waiting sessions get a slot now, in grant order: while slots are free, the first in line
 * whose tenant is under its own cap. A tenant at its cap keeps its place and waits for its own
 * sandboxes to end; the others move past it.
 */
export function nextGrants(
  waiting: readonly Waiter[],
  holders: readonly Holder[],
  limits: SlotLimits,
): Waiter[] {
  const held = countByTenant(holders);
  let free = limits.total - holders.length;
  const granted: Waiter[] = [];
  for (const w of queueOrder(waiting)) {
    if (free <= 0) break;
    if ((held.get(w.tenantId) ?? 0) >= limits.perTenant) continue;
    granted.push(w);
    held.set(w.tenantId, (held.get(w.tenantId) ?? 0) + 1);
    free--;
  }
  return granted;
}

/**
 * Which holders someone is waiting for: all of them when a waiter's tenant is under its cap (the
 * pool is full), else only the holders of capped tenants that have waiters (their own sandboxes
 * are what those waiters need).
 */
export function wantedHolders(
  waiting: readonly Waiter[],
  holders: readonly Holder[],
  limits: SlotLimits,
): Set<string> {
  const held = countByTenant(holders);
  const waitingTenants = new Set(waiting.map((w) => w.tenantId));
  const poolPressed = [...waitingTenants].some((t) => (held.get(t) ?? 0) < limits.perTenant);
  return new Set(
    holders.filter((h) => poolPressed || waitingTenants.has(h.tenantId)).map((h) => h.sessionId),
  );
}

/** How long grants pause after the provider said it is full although slots looked free. */
export function providerFullBackoffMs(consecutiveRefusals: number): number {
  return backoffDelay({ attempt: consecutiveRefusals - 1, baseMs: 1_000, capMs: 30_000, jitter: "none" });
}
