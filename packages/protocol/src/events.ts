/**
 * Normalized agent events: the one vocabulary every agent adapter emits and every
 * client renders. Stored in the session's append-only log with a monotonic `seq`.
 */
import { z } from "zod";

export const SESSION_STATUSES = [
  "queued",
  "starting",
  "running",
  "idle",
  /** The sandbox went away between turns (host restart, provider idle stop, idle release): no slot is held; a follow-up resumes it. */
  "paused",
  /** A follow-up woke a paused session: a new sandbox is being provisioned on the session's branch. */
  "resuming",
  "stopping",
  "stopped",
  "completed",
  "failed",
] as const;
export const SessionStatus = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Statuses after which the session accepts no more prompts. */
export const TERMINAL_STATUSES: ReadonlySet<SessionStatus> = new Set(["stopped", "completed", "failed"]);

const text = z.string().max(1_000_000);
const id = z.string().min(1).max(200);

export const SessionStatusEvent = z.object({
  type: z.literal("session.status"),
  status: SessionStatus,
  reason: z.string().max(2000).optional(),
});
/** A session waiting for a sandbox slot: its place in the fair queue (1 = next to start). */
export const SessionQueueEvent = z.object({
  type: z.literal("session.queue"),
  position: z.number().int().positive(),
});
export const PromptEvent = z.object({
  type: z.literal("prompt"),
  promptId: id,
  text,
  author: z.string().max(200),
});
export const MessageDeltaEvent = z.object({ type: z.literal("message.delta"), messageId: id, text });
export const MessageEvent = z.object({
  type: z.literal("message"),
  messageId: id,
  role: z.enum(["assistant", "user"]),
  text,
});
export const ToolStartEvent = z.object({
  type: z.literal("tool.start"),
  toolId: id,
  name: z.string().max(200),
  input: z.unknown(),
});
export const ToolEndEvent = z.object({
  type: z.literal("tool.end"),
  toolId: id,
  name: z.string().max(200).optional(),
  output: text,
  isError: z.boolean(),
});
export const UsageEvent = z.object({
  type: z.literal("usage"),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative().default(0),
  cacheWriteTokens: z.number().int().nonnegative().default(0),
  /**
   * US dollars for this turn: the CLI's own figure, else the model's list price times the tokens.
   * Absent when neither is known (a model the price table lacks): shown as unknown, never as $0.
   */
  costUsd: z.number().nonnegative().optional(),
  model: z.string().max(200).optional(),
});
export const TurnEndEvent = z.object({
  type: z.literal("turn.end"),
  promptId: id.optional(),
  status: z.enum(["completed", "failed", "cancelled"]),
  durationMs: z.number().int().nonnegative().optional(),
  summary: z.string().max(20_000).optional(),
});
export const GitPushEvent = z.object({
  type: z.literal("git.push"),
  branch: z.string().max(300),
  sha: z.string().regex(/^[0-9a-f]{7,64}$/),
  filesChanged: z.number().int().nonnegative(),
  insertions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
});
export const PullRequestEvent = z.object({
  type: z.literal("pr"),
  url: z.string().url(),
  number: z.number().int().positive(),
  state: z.enum(["draft", "open", "closed", "merged"]),
});
export const LogEvent = z.object({
  type: z.literal("log"),
  source: z.string().max(100),
  stream: z.enum(["stdout", "stderr"]),
  text,
});
export const ErrorEvent = z.object({
  type: z.literal("error"),
  code: z.string().max(100),
  message: z.string().max(10_000),
});

export const AgentEvent = z.discriminatedUnion("type", [
  SessionStatusEvent,
  SessionQueueEvent,
  PromptEvent,
  MessageDeltaEvent,
  MessageEvent,
  ToolStartEvent,
  ToolEndEvent,
  UsageEvent,
  TurnEndEvent,
  GitPushEvent,
  PullRequestEvent,
  LogEvent,
  ErrorEvent,
]);
export type AgentEvent = z.infer<typeof AgentEvent>;
export type AgentEventInput = z.input<typeof AgentEvent>;
export type AgentEventType = AgentEvent["type"];

/** An event as stored in a session log: its position, its time, and the event. */
export const StoredEvent = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  event: AgentEvent,
});
export type StoredEvent = z.infer<typeof StoredEvent>;
