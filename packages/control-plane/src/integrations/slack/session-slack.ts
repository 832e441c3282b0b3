/**
 * The session DO's Slack side: one status message in the session's thread, edited as the session
 * moves (queued → running → the current step), and a summary when a turn ends (branch, pull
 * request, a link to the session). Everything goes through the durable outbox (outbox-core.ts)
 * from the alarm; Slack's 429 Retry-After is honoured. Sessions not started from Slack never get here.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import type { MetaStore } from "../../session/meta-store";
import type { Scheduler } from "../../session/scheduler";
import type { SessionMeta } from "../../session/store";
import { DurableOutbox } from "../outbox-core";
import type { SessionReplies } from "../port";
import { type SlackApi, SlackApiError } from "./api-client";
import { finalMessage, statusMessage } from "./messages";
import type { SlackTask } from "./session-keys";

const MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 2_000;
/** A summary waits this long between looks for the pull request link still being opened... */
const PULL_WAIT_MS = 1_000;
/** ...and at most this long: a pull request GitHub never opens must not hold the summary back. */
const PULL_WAIT_LIMIT_MS = 60_000;

export interface SessionSlackParts {
  meta: MetaStore;
  scheduler: Pick<Scheduler, "set">;
  publicUrl: string;
  /** The workspace's API client, or null when the workspace was disconnected meanwhile. */
  api: (meta: SessionMeta) => Promise<SlackApi | null>;
  /** Whether the GitHub outbox still has a pull request sync to send. */
  pullPending: () => boolean;
  now: () => number;
}

class WaitingForPull extends Error {}

export class SessionSlack implements SessionReplies {
  readonly deadline = "slack.sync";
  private readonly outbox: DurableOutbox<SlackTask>;
  private readonly meta: MetaStore;
  /** When the summary at the head first waited for the pull request (in memory: a restart waits afresh). */
  private waitingSince: number | null = null;

  constructor(private readonly parts: SessionSlackParts) {
    this.meta = parts.meta;
    this.outbox = new DurableOutbox<SlackTask>(
      {
        read: () => this.meta.get("slack.outbox") ?? [],
        write: (queue) => this.meta.set("slack.outbox", queue),
      },
      { maxAttempts: MAX_ATTEMPTS, baseBackoffMs: BASE_BACKOFF_MS },
    );
  }

  private sessionUrl(meta: SessionMeta): string {
    return `${this.parts.publicUrl.replace(/\/+$/, "")}/sessions/${meta.sessionId}`;
  }

  private enqueue(task: SlackTask): void {
    // The status message is rendered when sent: one pending update is enough.
    this.outbox.enqueue(task, task.kind === "status" ? (pending) => pending.kind === "status" : undefined);
    this.parts.scheduler.set("slack.sync", this.parts.now());
  }

  /** A prompt was queued on a Slack session: show (or refresh) its status. */
  promptAccepted(meta: SessionMeta): void {
    if (!meta.slack) return;
    this.meta.set("slack.turn_open", true);
    this.enqueue({ kind: "status" });
  }

  onStatus(meta: SessionMeta, status: SessionStatus, reason: string | undefined): void {
    if (!meta.slack) return;
    this.enqueue({ kind: "status" });
    if ((status === "failed" || status === "stopped") && this.meta.get("slack.turn_open")) {
      this.meta.delete("slack.turn_open");
      this.enqueue({
        kind: "final",
        outcome: status === "failed" ? "failed" : "cancelled",
        summary: reason ?? null,
      });
    }
  }

  onRuntimeEvents(meta: SessionMeta, events: AgentEvent[]): void {
    if (!meta.slack) return;
    for (const event of events) {
      if (event.type === "tool.start") {
        this.meta.set("slack.step", event.name.slice(0, 200));
        this.enqueue({ kind: "status" });
      }
      if (event.type === "turn.end") {
        this.meta.delete("slack.step");
        this.meta.delete("slack.turn_open");
        const summary = event.summary ?? this.meta.get("github.last_message") ?? null;
        this.enqueue({ kind: "final", outcome: event.status, summary });
      }
    }
  }

  /** From the alarm: send what is queued; schedule a retry when Slack failed. */
  async flush(meta: SessionMeta, publish: (events: AgentEvent[]) => void): Promise<void> {
    const thread = meta.slack;
    if (!thread || this.outbox.size === 0) return;
    const api = await this.parts.api(meta);
    if (!api) {
      publish([log("Slack replies skipped: the workspace is no longer connected")]);
      this.meta.delete("slack.outbox");
      return;
    }
    const retryAt = await this.outbox.flush(
      {
        send: (task) => this.send(api, meta, thread, task),
        classify: (error) => {
          if (error instanceof WaitingForPull) return { kind: "wait", afterMs: PULL_WAIT_MS };
          if (error instanceof SlackApiError)
            return error.kind === "permanent"
              ? { kind: "refused" }
              : { kind: "retry", afterMs: error.retryAfterMs };
          return { kind: "retry" };
        },
        dropped: (task, why, attempts, error) =>
          publish([
            log(
              why === "refused"
                ? `dropped a Slack ${task.kind} message: Slack refused it (${describe(error)})`
                : `gave up on a Slack ${task.kind} message after ${attempts} attempts: ${describe(error)}`,
            ),
          ]),
      },
      this.parts.now(),
    );
    if (retryAt !== null) this.parts.scheduler.set("slack.sync", retryAt);
  }

  private async send(
    api: SlackApi,
    meta: SessionMeta,
    thread: NonNullable<SessionMeta["slack"]>,
    task: SlackTask,
  ): Promise<void> {
    const sessionUrl = this.sessionUrl(meta);
    if (task.kind === "status") {
      const text = statusMessage({
        status: meta.status,
        step: this.meta.get("slack.step"),
        title: meta.title,
        sessionUrl,
      });
      const ts = this.meta.get("slack.status_ts");
      if (ts) return api.updateMessage(thread.channelId, ts, text);
      this.meta.set("slack.status_ts", await api.postMessage(thread.channelId, thread.threadTs, text));
      return;
    }
    // The summary carries the pull request link: wait while it is still being opened.
    if (this.parts.pullPending()) {
      this.waitingSince ??= this.parts.now();
      if (this.parts.now() - this.waitingSince < PULL_WAIT_LIMIT_MS) throw new WaitingForPull();
    }
    this.waitingSince = null;
    const pull = this.meta.get("github.pull");
    await api.postMessage(
      thread.channelId,
      thread.threadTs,
      finalMessage({
        outcome: task.outcome,
        summary: task.summary,
        branch: meta.branch,
        pullRequestUrl: pull?.url ?? null,
        sessionUrl,
      }),
    );
  }
}

function log(text: string): AgentEvent {
  return { type: "log", source: "slack", stream: "stderr", text: `${text}\n` };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : "unknown error";
}
