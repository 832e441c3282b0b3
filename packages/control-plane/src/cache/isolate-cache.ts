/**
 * A small per-isolate cache with expiry and a bound, for answers that may be a few seconds stale
 * (who a sandbox token speaks for, a tenant's model key, a tenant's gateway settings): a Worker
 * isolate serves many requests, and each of those answers costs a DO or D1 round trip.
 *
 * Written here rather than taken from `lru-cache`: the whole need is a Map with a deadline per
 * entry and a size cap, and every byte of a dependency ships in the Worker bundle.
 */

export interface IsolateCacheOptions {
  /** How long an entry is served after it was stored. */
  ttlMs: number;
  /** At most this many entries: a full cache drops expired entries, then the oldest stored. */
  maxEntries: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class IsolateCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: IsolateCacheOptions) {
    if (!(options.ttlMs > 0) || !(options.maxEntries >= 1))
      throw new RangeError("an isolate cache needs a positive TTL and room for at least one entry");
    this.ttlMs = options.ttlMs;
    this.maxEntries = Math.floor(options.maxEntries);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live value under `key`; an expired one is forgotten and reads as absent. */
  get(key: string, at: number = this.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > at) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, at: number = this.now()): void {
    // Re-inserting moves the key to the end, so "oldest stored" stays the Map's first key.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.makeRoom(at);
    this.entries.set(key, { value, expiresAt: at + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Tests that change what a cached answer says call this to see the change at once. */
  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  /**
   * The live value, else `load()`'s, stored. Concurrent misses for one key share one load; a load
   * that fails is not stored, so the next call tries again.
   */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const pending = this.loading.get(key);
    if (pending) return pending;
    // A clear() while loading means the caller wants fresh answers: that load is not stored.
    const loaded = load().then((value) => {
      if (this.loading.get(key) === loaded) this.set(key, value);
      return value;
    });
    this.loading.set(key, loaded);
    try {
      return await loaded;
    } finally {
      if (this.loading.get(key) === loaded) this.loading.delete(key);
    }
  }

  private makeRoom(at: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= at) this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.entries.delete(oldest.value);
    }
  }
}
