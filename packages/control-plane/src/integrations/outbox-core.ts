/**
 * The durable outbox every integration's replies go through (the outbound side of port.ts): tasks
 * are kept in the session DO's storage and sent in order from its alarm. A transient failure is
 * retried with exponential backoff (or after the wait the service asked for, Slack's and GitHub's
 * Retry-After); a refusal, or a task that keeps failing, is dropped with a log line, so an outage
 * delays messages instead of losing them and a "no" never wedges a session.
 */
import { type AgentEvent, backoffDelay } from "@nightshift/protocol";

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

/** Thrown by a reply's send while it waits for the pull request link (a wait, not an attempt). */
export class WaitingForPull extends Error {}

/** How often a reply waiting for the pull request looks again... */
const PULL_WAIT_MS = 1_000;
/** ...and for how long at most: a pull request GitHub never opens must not hold the reply back. */
const PULL_WAIT_LIMIT_MS = 60_000;

/**
 * Holds a session's final reply (Slack's summary, Linear's response) back while its pull request
 * is still being opened, for at most a minute. The start of the wait is kept in memory: a restart
 * waits afresh.
 */
export class PullWait {
  private since: number | null = null;

  constructor(
    private readonly pending: () => boolean,
    private readonly now: () => number,
  ) {}

  /** Throws WaitingForPull while the pull request is pending and the limit is not reached. */
  hold(): void {
    if (this.pending()) {
      this.since ??= this.now();
      if (this.now() - this.since < PULL_WAIT_LIMIT_MS) throw new WaitingForPull();
    }
    this.since = null;
  }
}

export interface ReplyFlush<Task extends { kind: string }> {
  /** Who the replies go to, for the log lines: `Slack`, `Linear`. */
  provider: string;
  /** What one reply is called there: `message`, `activity`. */
  noun: string;
  send(task: Task): Promise<void>;
  /** The provider's own errors: retry (after its wait) or refused; null for anything else. */
  verdictFor(error: unknown): FailureVerdict | null;
  /** Publishes the session's log lines about dropped replies. */
  publish(events: AgentEvent[]): void;
}

/**
 * The flush hooks a chat integration's replies share: a reply waiting for the pull request waits
 * (not an attempt), the provider classifies its own errors, anything else is retried, and a drop
 * becomes a log line in the session (never the reply's text).
 */
export function replyHooks<Task extends { kind: string }>(reply: ReplyFlush<Task>): FlushHooks<Task> {
  return {
    send: (task) => reply.send(task),
    classify: (error) => {
      if (error instanceof WaitingForPull) return { kind: "wait", afterMs: PULL_WAIT_MS };
      return reply.verdictFor(error) ?? { kind: "retry" };
    },
    dropped: (task, why, attempts, error) =>
      reply.publish([
        replyLog(
          reply.provider,
          why === "refused"
            ? `dropped a ${reply.provider} ${task.kind} ${reply.noun}: ${reply.provider} refused it (${describeFailure(error)})`
            : `gave up on a ${reply.provider} ${task.kind} ${reply.noun} after ${attempts} attempts: ${describeFailure(error)}`,
        ),
      ]),
  };
}

/** A line in the session's log from an integration (source `slack`, `linear`). */
export function replyLog(provider: string, text: string): AgentEvent {
  return { type: "log", source: provider.toLowerCase(), stream: "stderr", text: `${text}\n` };
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : "unknown error";
}
