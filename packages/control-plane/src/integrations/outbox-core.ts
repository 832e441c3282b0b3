/**
 * The durable outbox every integration's replies go through (the outbound side of port.ts): tasks
 * are kept in the session DO's storage and sent in order from its alarm. A transient failure is
 * retried with exponential backoff (or after the wait the service asked for, Slack's and GitHub's
 * Retry-After); a refusal, or a task that keeps failing, is dropped with a log line, so an outage
 * delays messages instead of losing them and a "no" never wedges a session.
 */
import { backoffDelay } from "@nightshift/protocol";

export interface Queued<Task> {
  task: Task;
  attempts: number;
}

/** Where a queue lives (one meta key of the session DO). */
export interface QueueStore<Task> {
  read(): Queued<Task>[];
  write(queue: Queued<Task>[]): void;
}

/** What a failed send means: try again (after the service's own wait, if it named one), or give up now. */
export type FailureVerdict =
  | { kind: "retry"; afterMs?: number | null }
  | { kind: "refused" }
  /** Not a failure of the task: it waits for something else (not counted as an attempt). */
  | { kind: "wait"; afterMs: number };

export interface OutboxPolicy {
  maxAttempts: number;
  baseBackoffMs: number;
}

export interface FlushHooks<Task> {
  send(task: Task): Promise<void>;
  classify(error: unknown): FailureVerdict;
  /** Called when a task is dropped: `refused` or out of attempts. */
  dropped(task: Task, why: "refused" | "gave_up", attempts: number, error: unknown): void;
}

export class DurableOutbox<Task> {
  constructor(
    private readonly store: QueueStore<Task>,
    private readonly policy: OutboxPolicy,
  ) {}

  /** Appends a task, or replaces the pending one `replaces` picks (keeping its place in line). */
  enqueue(task: Task, replaces?: (pending: Task) => boolean): void {
    const queue = this.store.read();
    const pending = replaces ? queue.findIndex((q) => replaces(q.task)) : -1;
    if (pending >= 0) queue[pending] = { task, attempts: 0 };
    else queue.push({ task, attempts: 0 });
    this.store.write(queue);
  }

  get size(): number {
    return this.store.read().length;
  }

  tasks(): Task[] {
    return this.store.read().map((q) => q.task);
  }

  /**
   * Sends queued tasks in order; returns when to try again, or null when the queue is empty. The
   * queue is read again after every send: tasks enqueued while a send was awaited must not be
   * overwritten by a stale copy.
   */
  async flush(hooks: FlushHooks<Task>, now: number): Promise<number | null> {
    const maxBackoffMs = this.policy.baseBackoffMs * 2 ** (this.policy.maxAttempts - 2);
    for (;;) {
      const head = this.store.read()[0];
      if (!head) return null;
      const sent = JSON.stringify(head);
      try {
        await hooks.send(head.task);
        this.settleHead(sent, null);
      } catch (error) {
        const verdict = hooks.classify(error);
        if (verdict.kind === "wait") return now + verdict.afterMs;
        const attempts = head.attempts + 1;
        if (verdict.kind === "refused" || attempts >= this.policy.maxAttempts) {
          hooks.dropped(head.task, verdict.kind === "refused" ? "refused" : "gave_up", attempts, error);
          this.settleHead(sent, null);
          continue;
        }
        this.settleHead(sent, { ...head, attempts });
        const backoff = backoffDelay({
          attempt: attempts - 1,
          baseMs: this.policy.baseBackoffMs,
          capMs: maxBackoffMs,
          jitter: "none",
        });
        return now + Math.max(backoff, verdict.afterMs ?? 0);
      }
    }
  }

  /**
   * Removes (or replaces) the task just sent, if it is still the head: a newer task may have taken
   * its place meanwhile, and then that one is still to be sent.
   */
  private settleHead(sent: string, replacement: Queued<Task> | null): void {
    const queue = this.store.read();
    if (queue.length === 0 || JSON.stringify(queue[0]) !== sent) return;
    if (replacement) queue[0] = replacement;
    else queue.shift();
    this.store.write(queue);
  }
}
