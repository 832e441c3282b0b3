/**
 * Every key of the session DO's `meta` table, declared once with the zod schema of its value.
 * One naming scheme: `<part>.<snake_case>`, the part being the module that owns the value.
 * Values are stored as JSON and parsed against their schema on every read (meta-store.ts).
 */
import { RepoRef, SessionStatus, WorkspaceReport } from "@nightshift/protocol";
import { z } from "zod";
import { SessionCaps } from "../budgets/session-caps";
import { LinearBinding, LinearToolCall, QueuedLinearTask } from "../integrations/linear/session-keys";
import { QueuedSlackTask, SlackThreadBinding } from "../integrations/slack/session-keys";

const Count = z.number().int().nonnegative();

const SessionGithubBinding = z.object({
  installationId: z.number().int(),
  repositoryId: z.number().int(),
  /** The issue a label started this session from (its PR says "Closes #N"). */
  issue: z.number().int().nullable(),
  /** The GitHub login the work is done for, named in the PR. */
  requestedBy: z.string().nullable(),
});
export type SessionGithubBinding = z.infer<typeof SessionGithubBinding>;

/** The sandbox slot pool a session draws from and its limits (capacity/limits.ts). */
const SlotPolicy = z.object({ pool: z.string().min(1), total: Count, perTenant: Count });

export const SessionMeta = z.object({
  sessionId: z.string().min(1),
  tenantId: z.string().min(1),
  title: z.string(),
  repo: RepoRef,
  agent: z.string(),
  model: z.string().nullable(),
  branch: z.string(),
  createdBy: z.string(),
  status: SessionStatus,
  /** Where the session branch starts; the repository's default branch when null or absent. */
  baseBranch: z.string().nullish(),
  /** The git proxy lets pushes rewrite the session branch (CreateSessionRequest.allowForcePush). */
  allowForcePush: z.boolean().optional(),
  /** GitHub repositories: the tenant's installation that grants it, and the issue it closes, if any. */
  github: SessionGithubBinding.nullish(),
  /** Sessions started from Slack: the thread they answer in (integrations/slack/session-slack.ts). */
  slack: SlackThreadBinding.nullish(),
  /** Sessions started from Linear: the issue and agent session they answer (integrations/linear/session-linear.ts). */
  linear: LinearBinding.nullish(),
  /** The sandbox slot pool the session draws from and its limits, fixed when it was created. */
  slots: SlotPolicy.nullish(),
  /** Its max turns and wall-time caps, fixed when it was created (budgets/session-caps.ts). */
  caps: SessionCaps.nullish(),
  /**
   * The sandbox provider the session runs on, resolved when it was created (repository override →
   * tenant default → SANDBOX_PROVIDER): every incarnation, resume and terminate uses it. Absent
   * on sessions created before the choice existed: the deployment's default.
   */
  sandboxProvider: z.string().min(1).nullish(),
  /** A warm-start prebuild (src/warm): no prompt and no agent; snapshotted once ready, then stopped. */
  prebuild: z.boolean().optional(),
});
export type SessionMeta = z.infer<typeof SessionMeta>;

const ReplyTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("issue"), number: z.number().int() }),
  z.object({ kind: z.literal("review"), pull: z.number().int(), commentId: z.number().int() }),
]);

/** Where on GitHub to answer a prompt when its turn ends. */
export const GithubReply = z.object({ target: ReplyTarget, login: z.string().nullable() });
export type GithubReply = z.infer<typeof GithubReply>;

export const OutboxTask = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("comment"), target: ReplyTarget, body: z.string() }),
  z.object({
    kind: z.literal("result"),
    target: ReplyTarget,
    login: z.string().nullable(),
    outcome: z.enum(["completed", "failed", "cancelled"]),
    summary: z.string().nullable(),
  }),
  z.object({ kind: z.literal("pr.sync"), summary: z.string().nullable() }),
]);
export type OutboxTask = z.infer<typeof OutboxTask>;

const QueuedTask = z.object({ task: OutboxTask, attempts: Count });

export const PullRecord = z.object({
  number: z.number().int().positive(),
  url: z.string(),
  /** Nightshift opened it, so it may rewrite its title and body; a human's PR is never rewritten. */
  ours: z.boolean(),
});
export type PullRecord = z.infer<typeof PullRecord>;

export const META_KEYS = {
  /** The session itself: who owns it, its repository and status (the DO's truth). */
  "session.meta": SessionMeta,
  /** The provider's id for the live sandbox, until it is terminated. */
  "sandbox.provider_id": z.string().min(1),
  /** The isolation level the latest sandbox reported ("bubblewrap", "vm"...), shown with the session. */
  "sandbox.isolation": z.string().min(1).max(100),
  /** How the latest sandbox's workspace started (its runtime's `ready`): cloned, warm, or a prebuild. */
  "sandbox.workspace": WorkspaceReport,
  /** Whether the latest sandbox was created from the repository's warm snapshot (the launcher). */
  "sandbox.start": z.enum(["warm", "cold"]),
  /** A prebuild's outcome is in the warm registry (warm/prebuild-session.ts). */
  "warm.recorded": z.literal(true),
  /** Why a prebuild ended without a snapshot, kept until it is recorded. */
  "warm.failure": z.string().max(2000),
  /** Transient start failures in a row (the launcher's retry count). */
  "sandbox.launch_attempt": Count,
  /** Spent bootstrap tokens: SHA-256 of each jti → its expiry (seconds), pruned once expired (bootstrap-env.ts). */
  "bootstrap.spent": z.record(z.string(), z.number().int()),
  /** The hash of the live incarnation's token jti: only it may connect. */
  "bridge.incarnation_hash": z.string().min(1),
  /** The highest runtime seq stored (and acked) for the live incarnation. */
  "bridge.acked_seq": Count,
  /** Present while the D1 index lacks a change (deferred, or a write failed). */
  "index.behind": z.literal(true),
  /** Present while the last write to the D1 index failed: `index.sync` is a retry with backoff. */
  "index.failing": z.literal(true),
  /** The session's running cost in USD. */
  "usage.cost_usd": z.number().nonnegative(),
  /** Prompts that came from GitHub, by prompt id: where to answer when their turn ends. */
  "github.replies": z.record(z.string(), GithubReply),
  /** The last assistant message (capped), the summary of the next PR sync or result comment. */
  "github.last_message": z.string(),
  /** GitHub writes waiting to be sent from the alarm, in order. */
  "github.outbox": z.array(QueuedTask),
  /** The session's pull request, once D1 has its URL. */
  "github.pull": PullRecord,
  /** The branch a draft PR is being opened for, so one found on a retry is known to be ours. */
  "github.pull_creating": z.string(),
  /** Slack replies waiting to be sent from the alarm, in order (integrations/slack/session-slack.ts). */
  "slack.outbox": z.array(QueuedSlackTask),
  /** Linear activities waiting to be sent from the alarm, in order (integrations/linear/session-linear.ts). */
  "linear.outbox": z.array(QueuedLinearTask),
  /** Tool calls started and not yet ended: their parameters go with their results. */
  "linear.tools": LinearToolCall,
  /** Present from a prompt's queueing to its turn's end: a stop or failure meanwhile still gets a final activity. */
  "linear.turn_open": z.literal(true),
  /** The ts of the session's status message in its thread, edited as the session moves. */
  "slack.status_ts": z.string().min(1).max(32),
  /** The step the agent is on (its latest tool), shown in the status message. */
  "slack.step": z.string().max(200),
  /** Present from a prompt's queueing to its turn's end: a stop or failure meanwhile still gets a summary. */
  "slack.turn_open": z.literal(true),
  /** The place in the slot pool's line while queued (1 = next). */
  "slot.queue_position": z.number().int().positive(),
  /** Present while another session waits for this one's slot. */
  "slot.wanted": z.literal(true),
  /** The saved conversation archive's size and time (its bytes are in conversation_chunks). */
  "conversation.saved": z.object({ bytes: Count, savedAt: z.string() }),
  /** The agent CLI's own session id, named by the runtime's last conversation upload. */
  "conversation.agent_session_id": z.string().min(1).max(200),
  /** The provider snapshot a resume creates from, taken when the idle policy stopped the sandbox (sandbox-snapshots.ts). */
  "snapshot.resume": z.object({
    ref: z.string().min(1).max(255),
    takenAt: z.string(),
    expiresAt: z.string().optional(),
  }),
  /** Snapshot refs to delete on the `snapshot.delete` deadline (replaced, given up, or of an ended session). */
  "snapshot.doomed": z.array(z.string().min(1).max(255)).max(20),
} as const;

export type MetaKey = keyof typeof META_KEYS;
export type MetaValue<K extends MetaKey> = z.infer<(typeof META_KEYS)[K]>;

/**
 * The keys and encodings DOs wrote before META_KEYS (mixed names; some values raw text, not
 * JSON). Each maps to its key now and decodes the old text; storage written by older code is
 * rewritten once, when the DO first loads (store.ts migrations).
 */
export const LEGACY_META_KEYS: ReadonlyArray<{
  from: string;
  to: MetaKey;
  decode: (raw: string) => unknown;
}> = [
  { from: "session", to: "session.meta", decode: (raw) => JSON.parse(raw) },
  { from: "provider_id", to: "sandbox.provider_id", decode: (raw) => raw },
  { from: "launch_attempt", to: "sandbox.launch_attempt", decode: Number },
  { from: "incarnation_hash", to: "bridge.incarnation_hash", decode: (raw) => raw },
  { from: "runtime_acked_seq", to: "bridge.acked_seq", decode: Number },
  { from: "index_behind", to: "index.behind", decode: () => true },
  { from: "cost_usd", to: "usage.cost_usd", decode: Number },
  { from: "github.last_message", to: "github.last_message", decode: (raw) => raw },
  { from: "github.pull_creating", to: "github.pull_creating", decode: (raw) => raw },
  { from: "queue_position", to: "slot.queue_position", decode: Number },
  { from: "slot_wanted", to: "slot.wanted", decode: (raw) => (raw === "1" ? true : undefined) },
];
