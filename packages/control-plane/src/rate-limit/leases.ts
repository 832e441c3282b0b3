/**
 * Rate-limit leases: an isolate that admits a stream of requests on one bucket takes several at
 * once from the tenant's limiter object and hands them out itself, so most of those requests skip
 * the object's round trip (≈ 4 ms locally, a network hop to wherever the object lives when
 * deployed). A lease lives `ttlMs`; what it did not hand out by then is dropped, never returned.
 *
 * Leases cannot admit more than the limit: every leased request was charged to the bucket when
 * the lease was granted (gcraLease). What they cost is precision the other way: requests leased
 * and dropped were charged and never used. Two things keep that small. A key's first request asks
 * for one, and a lease asks for more only after the previous one ran out while still live
 * (doubling up to `maxWant`); after a lease lapses, the next asks for what that one handed out.
 * And the object grants more than one only out of a quarter of what the bucket could admit then.
 */

export interface LeaseOptions {
  /** How long a lease's requests may be handed out. */
  ttlMs: number;
  /** The most requests one lease asks for. */
  maxWant: number;
  /** Keys kept at most; past it, lapsed leases go first, then the oldest. */
  maxEntries: number;
}

interface Lease {
  /** Requests still to hand out. */
  left: number;
  /** Requests handed out, the one that took the lease included. */
  used: number;
  /** What the lease asked for. */
  want: number;
  expiresAt: number;
}

export class TokenLeases {
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly options: LeaseOptions) {}

  /** Admits one request from a live lease on `key`; false when the limiter must be asked. */
  takeLocal(key: string, at: number): boolean {
    const lease = this.leases.get(key);
    if (!lease || lease.expiresAt <= at || lease.left <= 0) return false;
    lease.left -= 1;
    lease.used += 1;
    return true;
  }

  /** How many requests the limiter should be asked for now, for a request `takeLocal` refused. */
  want(key: string, at: number): number {
    const lease = this.leases.get(key);
    if (!lease) return 1;
    // Ran out while live: the stream is faster than the lease; else ask for what the last one used.
    const next = lease.expiresAt > at ? lease.want * 2 : lease.used;
    return Math.max(1, Math.min(this.options.maxWant, next));
  }

  /** Records what the limiter granted for `want`; one of the granted requests is the caller's. */
  granted(key: string, granted: number, want: number, at: number): void {
    const live = this.leases.get(key);
    if (live && live.expiresAt > at) {
      // Concurrent misses each took a lease: keep every request they were granted.
      live.left += granted - 1;
      live.used += 1;
      live.want = Math.max(live.want, want);
      return;
    }
    this.leases.delete(key);
    if (this.leases.size >= this.options.maxEntries) this.makeRoom(at);
    this.leases.set(key, { left: granted - 1, used: 1, want, expiresAt: at + this.options.ttlMs });
  }

  private makeRoom(at: number): void {
    for (const [key, lease] of this.leases) if (lease.expiresAt <= at) this.leases.delete(key);
    while (this.leases.size >= this.options.maxEntries) {
      const oldest = this.leases.keys().next();
      if (oldest.done) return;
      this.leases.delete(oldest.value);
    }
  }
}
