/**
 * The session DO's Linear side: each finished tool call becomes an `action` activity (with its
 * parameter and result), a turn's end the final `response` with the pull request link (or an
 * `error` with the reason), and the pull request is attached to the issue and added to the agent
 * session's external URLs. Everything goes through the durable outbox (outbox-core.ts) from the
 * alarm, so a Linear outage delays activities and loses none. Sessions not started from Linear
 * never get here.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import type { MetaStore } from "../../session/meta-store";
import type { Scheduler } from "../../session/scheduler";
import type { SessionMeta } from "../../session/store";
import { DurableOutbox, PullWait, replyHooks, replyLog } from "../outbox-core";
import type { SessionReplies } from "../port";
import { LinearApiError } from "./api-client";
import { addSessionUrls, createActivity, type LinearCaller, linkUrlOnIssue } from "./operations";
import type { LinearSender } from "./router";
import type { LinearBinding, LinearTask } from "./session-keys";

const MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 2_000;

export interface SessionLinearParts {
  meta: MetaStore;
  scheduler: Pick<Scheduler, "set">;
  publicUrl: string;
  /** Calls Linear as the organization's app, or null when the organization was disconnected meanwhile. */
  sender: (meta: SessionMeta, binding: LinearBinding) => Promise<LinearSender | null>;
  pullPending: () => boolean;
  now: () => number;
  newId: () => string;
}

function clip(value: unknown, max: number): string {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export class SessionLinear implements SessionReplies {
  readonly deadline = "linear.sync";
  private readonly outbox: DurableOutbox<LinearTask>;
  /** The response carries the pull request link: it waits (a while) for it to be opened. */
  private readonly pullWait: PullWait;

  constructor(private readonly parts: SessionLinearParts) {
    this.pullWait = new PullWait(parts.pullPending, parts.now);
    this.outbox = new DurableOutbox<LinearTask>(
      {
        read: () => parts.meta.get("linear.outbox") ?? [],
        write: (queue) => parts.meta.set("linear.outbox", queue),
      },
      { maxAttempts: MAX_ATTEMPTS, baseBackoffMs: BASE_BACKOFF_MS },
    );
  }

  private enqueue(task: LinearTask): void {
    this.outbox.enqueue(task);
    this.parts.scheduler.set("linear.sync", this.parts.now());
  }

  promptAccepted(meta: SessionMeta): void {
    if (meta.linear) this.parts.meta.set("linear.turn_open", true);
  }

  onStatus(meta: SessionMeta, status: SessionStatus, reason: string | undefined): void {
    if (!meta.linear || (status !== "failed" && status !== "stopped")) return;
    if (!this.parts.meta.get("linear.turn_open")) return;
    this.parts.meta.delete("linear.turn_open");
    const outcome = status === "failed" ? "failed" : "cancelled";
    this.enqueue({ kind: "final", id: this.parts.newId(), outcome, summary: reason ?? null });
  }

  onRuntimeEvents(meta: SessionMeta, events: AgentEvent[]): void {
    if (!meta.linear) return;
    for (const event of events) {
      if (event.type === "tool.start") {
        const calls = this.parts.meta.get("linear.tools") ?? {};
        calls[event.toolId] = { name: clip(event.name, 200), parameter: clip(event.input, 2_000) };
        this.parts.meta.set("linear.tools", calls);
      }
      if (event.type === "tool.end") {
        const calls = this.parts.meta.get("linear.tools") ?? {};
        const call = calls[event.toolId];
        delete calls[event.toolId];
        this.parts.meta.set("linear.tools", calls);
        this.enqueue({
          kind: "action",
          id: this.parts.newId(),
          action: clip(event.name ?? call?.name ?? "tool", 200),
          parameter: call?.parameter ?? "",
          result: clip(event.isError ? `Failed: ${event.output}` : event.output, 4_000),
        });
      }
      if (event.type === "turn.end") {
        this.parts.meta.delete("linear.turn_open");
        this.parts.meta.delete("linear.tools");
        const summary = event.summary ?? this.parts.meta.get("github.last_message") ?? null;
        this.enqueue({ kind: "final", id: this.parts.newId(), outcome: event.status, summary });
      }
    }
  }

  /** From the alarm: send what is queued; schedule a retry when Linear failed. */
  async flush(meta: SessionMeta, publish: (events: AgentEvent[]) => void): Promise<void> {
    const binding = meta.linear;
    if (!binding || this.outbox.size === 0) return;
    const send = await this.parts.sender(meta, binding);
    if (!send) {
      publish([replyLog("Linear", "Linear activities skipped: the workspace is no longer connected")]);
      this.parts.meta.delete("linear.outbox");
      return;
    }
    const retryAt = await this.outbox.flush(
      replyHooks<LinearTask>({
        provider: "Linear",
        noun: "activity",
        send: (task) => send((caller) => this.send(caller, meta, binding, task)),
        verdictFor: (error) => {
          if (!(error instanceof LinearApiError)) return null;
          return error.kind === "transient"
            ? { kind: "retry", afterMs: error.retryAfterMs }
            : { kind: "refused" };
        },
        publish,
      }),
      this.parts.now(),
    );
    if (retryAt !== null) this.parts.scheduler.set("linear.sync", retryAt);
  }

  private async send(caller: LinearCaller, meta: SessionMeta, binding: LinearBinding, task: LinearTask) {
    const agentSessionId = binding.agentSessionId;
    if (task.kind === "action") {
      if (!agentSessionId) return;
      const content = {
        type: "action" as const,
        action: task.action,
        parameter: task.parameter,
        result: task.result,
      };
      return createActivity(caller, agentSessionId, content, task.id);
    }
    this.pullWait.hold();
    const pull = this.parts.meta.get("github.pull")?.url ?? null;
    const sessionUrl = `${this.parts.publicUrl.replace(/\/+$/, "")}/sessions/${meta.sessionId}`;
    if (pull) {
      await linkUrlOnIssue(caller, binding.issueId, pull, `Pull request: ${meta.title}`.slice(0, 200));
      if (agentSessionId)
        await addSessionUrls(caller, agentSessionId, [{ label: "Pull request", url: pull }]);
    }
    if (!agentSessionId) return;
    const body = finalBody(task, meta.branch, pull, sessionUrl);
    const content =
      task.outcome === "completed" ? { type: "response" as const, body } : { type: "error" as const, body };
    await createActivity(caller, agentSessionId, content, task.id);
  }
}

function finalBody(
  task: Extract<LinearTask, { kind: "final" }>,
  branch: string,
  pull: string | null,
  sessionUrl: string,
): string {
  const lines: string[] = [];
  if (task.outcome === "completed") lines.push(task.summary?.trim() || "Done.");
  else if (task.outcome === "cancelled") lines.push(`Stopped${task.summary ? `: ${task.summary}` : "."}`);
  else lines.push(`The session failed${task.summary ? `: ${task.summary}` : "."}`);
  lines.push("");
  if (pull) lines.push(`Pull request: ${pull}`);
  lines.push(`Branch: \`${branch}\` · [Open the session in Nightshift](${sessionUrl})`);
  return lines.join("\n");
}
