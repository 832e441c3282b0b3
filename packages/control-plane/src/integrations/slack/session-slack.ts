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
import { DurableOutbox, PullWait, replyHooks, replyLog } from "../outbox-core";
import type { SessionReplies } from "../port";
import { type SlackApi, SlackApiError } from "./api-client";
import { finalMessage, statusMessage } from "./messages";
import type { SlackTask } from "./session-keys";

const MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 2_000;

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

export class SessionSlack implements SessionReplies {
  readonly deadline = "slack.sync";
  private readonly outbox: DurableOutbox<SlackTask>;
  private readonly meta: MetaStore;
  /** The summary carries the pull request link: it waits (a while) for it to be opened. */
  private readonly pullWait: PullWait;

  constructor(private readonly parts: SessionSlackParts) {
    this.meta = parts.meta;
    this.pullWait = new PullWait(parts.pullPending, parts.now);
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
      publish([replyLog("Slack", "Slack replies skipped: the workspace is no longer connected")]);
      this.meta.delete("slack.outbox");
      return;
    }
    const retryAt = await this.outbox.flush(
      replyHooks<SlackTask>({
        provider: "Slack",
        noun: "message",
        send: (task) => this.send(api, meta, thread, task),
        verdictFor: (error) => {
          if (!(error instanceof SlackApiError)) return null;
          return error.kind === "permanent"
            ? { kind: "refused" }
            : { kind: "retry", afterMs: error.retryAfterMs };
        },
        publish,
      }),
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
    this.pullWait.hold();
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
