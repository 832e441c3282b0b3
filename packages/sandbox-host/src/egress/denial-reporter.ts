/**
 * The denied connections of one sandbox, on their way to the session log. The runtime inside
 * subscribes (a streaming GET on the egress socket) and turns each line into a `log` event.
 * Bounded: the same target is reported at most once per window (later ones are counted into
 * the next report), only so many reports go out per window in all, and what arrives before the
 * runtime subscribed waits in a short queue.
 */
import type { EgressDenial } from "@nightshift/protocol";

export interface DenialReporterOptions {
  windowMs?: number;
  /** Reports per window across all targets. */
  maxPerWindow?: number;
  /** Reports kept while nobody is subscribed. */
  maxQueued?: number;
  now?: () => number;
  /** Also told of every report (the host's own log), whether or not anyone subscribed. */
  onReport?: (denial: EgressDenial) => void;
}

type Subscriber = (denial: EgressDenial) => void;

const MAX_FIELD = 300;

export class DenialReporter {
  private readonly windowMs: number;
  private readonly maxPerWindow: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private readonly onReport: ((denial: EgressDenial) => void) | undefined;
  private readonly lastReported = new Map<string, { at: number; suppressed: number }>();
  private readonly queue: EgressDenial[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private windowStart = 0;
  private sentInWindow = 0;

  constructor(options: DenialReporterOptions = {}) {
    this.windowMs = options.windowMs ?? 10_000;
    this.maxPerWindow = options.maxPerWindow ?? 20;
    this.maxQueued = options.maxQueued ?? 50;
    this.now = options.now ?? Date.now;
    this.onReport = options.onReport;
  }

  /** Records one denial; returns whether it was reported now (false: folded into a later report). */
  deny(fullTarget: string, fullReason: string): boolean {
    // The stream's schema bounds both (a 253-character host name fits, with room for the reason).
    const target = fullTarget.slice(0, MAX_FIELD);
    const reason = fullReason.slice(0, MAX_FIELD);
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    const key = `${target}\n${reason}`;
    const last = this.lastReported.get(key);
    if ((last && now - last.at < this.windowMs) || this.sentInWindow >= this.maxPerWindow) {
      if (last) last.suppressed += 1;
      return false;
    }
    if (this.lastReported.size >= 1000) this.lastReported.clear();
    this.lastReported.set(key, { at: now, suppressed: 0 });
    this.sentInWindow += 1;
    this.publish({ target, reason, repeats: last?.suppressed ?? 0 });
    return true;
  }

  /** Delivers queued reports at once, then every new one; returns the unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void {
    for (const denial of this.queue.splice(0)) subscriber(denial);
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private publish(denial: EgressDenial): void {
    this.onReport?.(denial);
    if (this.subscribers.size === 0) {
      if (this.queue.length < this.maxQueued) this.queue.push(denial);
      return;
    }
    for (const subscriber of this.subscribers) subscriber(denial);
  }
}
