/**
 * The session view's model: a pure fold of stored events into display items and running totals.
 * `message.delta` text accumulates per messageId until the `message` event replaces it; a
 * `tool.end` completes its `tool.start`; `usage` events add up (adapters emit per-invocation
 * usage). Items that did not change keep their identity so React can skip re-rendering them.
 */
import {
  type GitPushEvent,
  type PullRequestEvent,
  type SessionStatus,
  type StoredEvent,
  TERMINAL_STATUSES,
  type TurnEndEvent,
} from "@nightshift/protocol";
import type { z } from "zod";

type Push = z.infer<typeof GitPushEvent>;
type Pr = z.infer<typeof PullRequestEvent>;
type TurnStatus = z.infer<typeof TurnEndEvent>["status"];

interface Base {
  key: string;
  seq: number;
  at: string;
}

export type TimelineItem =
  | (Base & { kind: "prompt"; promptId: string; text: string; author: string })
  | (Base & {
      kind: "message";
      messageId: string;
      role: "assistant" | "user";
      text: string;
      streaming: boolean;
    })
  | (Base & {
      kind: "tool";
      toolId: string;
      name: string;
      input: unknown;
      output: string | null;
      isError: boolean;
      done: boolean;
    })
  | (Base & { kind: "status"; status: SessionStatus; reason: string | null })
  | (Base & { kind: "turn"; status: TurnStatus; durationMs: number | null; summary: string | null })
  | (Base & { kind: "push"; push: Push })
  | (Base & { kind: "pr"; pr: Pr })
  | (Base & { kind: "log"; source: string; lines: { stream: "stdout" | "stderr"; text: string }[] })
  | (Base & { kind: "error"; code: string; message: string });
type MessageItem = Extract<TimelineItem, { kind: "message" }>;

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The priced part: usage whose cost was unknown (no CLI figure, no list price) adds nothing here. */
  costUsd: number;
  /** Some usage came without a cost: the true total is more than costUsd, by an unknown amount. */
  costUnknown: boolean;
}

export interface Timeline {
  lastSeq: number;
  items: readonly TimelineItem[];
  status: SessionStatus | null;
  statusReason: string | null;
  /** While the session waits for a sandbox slot: its place in line (1 = next), else null. */
  queuePosition: number | null;
  /** When the latest status was reached (for elapsed time once the session has ended). */
  statusAt: string | null;
  firstAt: string | null;
  usage: UsageTotals;
  push: Push | null;
  pr: Pr | null;
  /** A prompt has started and its turn.end has not arrived. */
  turnRunning: boolean;
  /**
   * Prompts whose turn has not ended, oldest first. The session runs them in order, so the
   * first is the current turn and the rest are queued follow-ups.
   */
  openPrompts: readonly string[];
  /** Prompt ids already shown, so a locally queued follow-up can be retired. */
  promptIds: ReadonlySet<string>;
  messageAt: Readonly<Record<string, number>>;
  toolAt: Readonly<Record<string, number>>;
}

export const emptyTimeline: Timeline = {
  lastSeq: 0,
  items: [],
  status: null,
  statusReason: null,
  queuePosition: null,
  statusAt: null,
  firstAt: null,
  usage: {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    costUnknown: false,
  },
  push: null,
  pr: null,
  turnRunning: false,
  openPrompts: [],
  promptIds: new Set(),
  messageAt: {},
  toolAt: {},
};

/** Folds a batch of events (already deduplicated and in seq order) into a new timeline. */
export function applyEvents(prev: Timeline, events: readonly StoredEvent[]): Timeline {
  if (events.length === 0) return prev;
  const items = prev.items.slice();
  const messageAt: Record<string, number> = { ...prev.messageAt };
  const toolAt: Record<string, number> = { ...prev.toolAt };
  let promptIds = prev.promptIds;
  /** Updates the message item for `messageId` in place, or appends the one `next` makes from nothing. */
  const upsertMessage = (messageId: string, next: (item: MessageItem | undefined) => MessageItem) => {
    const i = messageAt[messageId];
    const found = i === undefined ? undefined : items[i];
    const item = found?.kind === "message" ? found : undefined;
    if (item && i !== undefined) items[i] = next(item);
    else {
      messageAt[messageId] = items.length;
      items.push(next(undefined));
    }
  };
  const next: Timeline = { ...prev, usage: { ...prev.usage } };

  for (const { seq, at, event: e } of events) {
    if (seq <= next.lastSeq) continue;
    next.lastSeq = seq;
    next.firstAt ??= at;
    const base = { key: `${e.type}:${seq}`, seq, at };
    switch (e.type) {
      case "session.status":
        next.status = e.status;
        next.statusReason = e.reason ?? null;
        next.statusAt = at;
        if (e.status !== "queued") next.queuePosition = null;
        if (TERMINAL_STATUSES.has(e.status)) {
          next.turnRunning = false;
          next.openPrompts = [];
        }
        items.push({ ...base, kind: "status", status: e.status, reason: e.reason ?? null });
        break;
      case "session.queue":
        next.queuePosition = e.position;
        break;
      case "prompt":
        if (!promptIds.has(e.promptId)) promptIds = new Set(promptIds).add(e.promptId);
        next.turnRunning = true;
        next.openPrompts = [...next.openPrompts, e.promptId];
        items.push({ ...base, kind: "prompt", promptId: e.promptId, text: e.text, author: e.author });
        break;
      case "message.delta":
        upsertMessage(e.messageId, (item) =>
          item?.streaming
            ? { ...item, text: item.text + e.text }
            : (item ?? {
                ...base,
                kind: "message",
                messageId: e.messageId,
                role: "assistant",
                text: e.text,
                streaming: true,
              }),
        );
        break;
      case "message":
        // The complete message replaces what its deltas built up.
        upsertMessage(e.messageId, (item) => ({
          ...(item ?? { ...base, kind: "message" as const, messageId: e.messageId }),
          role: e.role,
          text: e.text,
          streaming: false,
        }));
        break;
      case "tool.start":
        toolAt[e.toolId] = items.length;
        items.push({
          ...base,
          kind: "tool",
          toolId: e.toolId,
          name: e.name,
          input: e.input,
          output: null,
          isError: false,
          done: false,
        });
        break;
      case "tool.end": {
        const i = toolAt[e.toolId];
        const item = i === undefined ? undefined : items[i];
        if (item?.kind === "tool") {
          items[i!] = { ...item, output: e.output, isError: e.isError, done: true };
        } else {
          // An end without its start (log trimmed, adapter quirk): still show what ran.
          toolAt[e.toolId] = items.length;
          items.push({
            ...base,
            kind: "tool",
            toolId: e.toolId,
            name: e.name ?? "tool",
            input: null,
            output: e.output,
            isError: e.isError,
            done: true,
          });
        }
        break;
      }
      case "usage":
        next.usage.inputTokens += e.inputTokens;
        next.usage.outputTokens += e.outputTokens;
        next.usage.cacheReadTokens += e.cacheReadTokens;
        next.usage.cacheWriteTokens += e.cacheWriteTokens;
        if (e.costUsd === undefined) next.usage.costUnknown = true;
        else next.usage.costUsd += e.costUsd;
        break;
      case "turn.end": {
        const ended = e.promptId ?? next.openPrompts[0];
        next.openPrompts = next.openPrompts.filter((id) => id !== ended);
        next.turnRunning = next.openPrompts.length > 0;
        items.push({
          ...base,
          kind: "turn",
          status: e.status,
          durationMs: e.durationMs ?? null,
          summary: e.summary ?? null,
        });
        break;
      }
      case "git.push":
        next.push = e;
        items.push({ ...base, kind: "push", push: e });
        break;
      case "pr":
        next.pr = e;
        items.push({ ...base, kind: "pr", pr: e });
        break;
      case "log": {
        const last = items[items.length - 1];
        if (last?.kind === "log" && last.source === e.source && last.lines.length < 500) {
          items[items.length - 1] = { ...last, lines: [...last.lines, { stream: e.stream, text: e.text }] };
        } else {
          items.push({ ...base, kind: "log", source: e.source, lines: [{ stream: e.stream, text: e.text }] });
        }
        break;
      }
      case "error":
        items.push({ ...base, kind: "error", code: e.code, message: e.message });
        break;
    }
  }
  next.items = items;
  next.messageAt = messageAt;
  next.toolAt = toolAt;
  next.promptIds = promptIds;
  return next;
}
