/**
 * Remembers the signatures seen inside the freshness window, so a captured request cannot be
 * sent again. Bounded: past `capacity` live entries, new requests are refused (the caller
 * answers 429) rather than forgetting entries that are still replayable.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly capacity = 10_000) {}

  /** Records the signature; "replay" if it was seen and is still live, "full" if no room is left. */
  check(signature: string, expiresAtMs: number, nowMs: number): "fresh" | "replay" | "full" {
    this.prune(nowMs);
    const known = this.seen.get(signature);
    if (known !== undefined && known > nowMs) return "replay";
    if (this.seen.size >= this.capacity) return "full";
    this.seen.set(signature, expiresAtMs);
    return "fresh";
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    // Entries arrive roughly in expiry order: drop from the front, and sweep all only when full.
    for (const [signature, expires] of this.seen) {
      if (expires > nowMs) break;
      this.seen.delete(signature);
    }
    if (this.seen.size >= this.capacity) {
      for (const [signature, expires] of this.seen) if (expires <= nowMs) this.seen.delete(signature);
    }
  }
}
