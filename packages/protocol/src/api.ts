/** HTTP API bodies under /api/v1: requests are strict, responses are what the Worker sends. */
import { z } from "zod";
import { SessionLimits } from "./budgets.ts";
import { SessionStatus, StoredEvent } from "./events.ts";

/**
 * Agent CLIs Nightshift knows (AGENT_CATALOG describes each); which of them a deployment can run
 * is its SANDBOX_AGENTS setting, and a session for any other fails at create (agent_unavailable).
 */
export const AGENTS = ["claude-code", "codex", "opencode", "gemini", "pi"] as const;
export const AgentName = z.enum(AGENTS);
export type AgentName = z.infer<typeof AgentName>;

/** Where a session came from. web, api and github exist; slack, linear, webhook and schedule are planned. */
export const TRIGGERS = ["web", "api", "github", "slack", "linear", "webhook", "schedule"] as const;
export const Trigger = z.enum(TRIGGERS);
export type Trigger = z.infer<typeof Trigger>;

const repoSegment = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, "may contain only letters, digits, '-', '_' and '.'");

export const RepoRef = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("local"),
    /** A path relative to the configured local repository root, e.g. "demo-repo". */
    path: z
      .string()
      .min(1)
      .max(500)
      .refine((p) => !p.split("/").includes(".."), "must not contain '..'"),
  }),
  z.strictObject({ kind: z.literal("github"), owner: repoSegment, name: repoSegment }),
]);
export type RepoRef = z.infer<typeof RepoRef>;

export const PROMPT_MAX_CHARS = 100_000;
export const PromptText = z.string().trim().min(1, "must not be empty").max(PROMPT_MAX_CHARS);

/**
 * A model id as agent CLIs and providers spell them ("claude-sonnet-4-5", "openai/gpt-5.5",
 * "llama3:70b", "x@2025"). It reaches a CLI's argv, so it may not start with '-' (a flag) and
 * carries no spaces or control characters.
 */
export const ModelId = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200)
  .regex(
    /^[A-Za-z0-9._:/@+][A-Za-z0-9._:/@+-]*$/,
    "may contain only letters, digits and . _ : / @ + - (not starting with '-')",
  );

export const CreateSessionRequest = z.strictObject({
  repo: RepoRef,
  /** Absent: the tenant's default agent (Settings → Agents), else the deployment's first agent. */
  agent: AgentName.optional(),
  /** Absent: the tenant's default model for the agent, else the agent's catalog default. */
  model: ModelId.optional(),
  prompt: PromptText,
  title: z.string().trim().min(1).max(200).optional(),
  baseBranch: z.string().min(1).max(250).optional(),
  /**
   * Lets the session's pushes rewrite its own branch (rebase, amend). Off by default: the git proxy
   * then refuses any push it cannot prove a fast-forward. Other branches stay out of reach either way.
   */
  allowForcePush: z.boolean().default(false),
  /** Caps for this session, within the tenant's (Settings → Budget): unset fields take the tenant's. */
  limits: SessionLimits.optional(),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

export const Session = z.object({
  id: z.string(),
  tenantId: z.string(),
  title: z.string(),
  repo: RepoRef,
  agent: AgentName,
  model: z.string().nullable(),
  status: SessionStatus,
  /** While `queued` for a sandbox slot: the place in line (1 = next); absent otherwise. */
  queuePosition: z.number().int().positive().optional(),
  trigger: Trigger,
  /** The automation that started it (trigger webhook or schedule); absent for every other session. */
  automation: z.object({ id: z.string(), name: z.string() }).optional(),
  createdBy: z.string(),
  branch: z.string(),
  costUsd: z.number(),
  prUrl: z.string().nullable(),
  /**
   * Where the session's sandboxes run: the provider chosen when it was created, and the isolation
   * level its latest sandbox reported (null until one started). Absent on older sessions.
   */
  sandbox: z
    .object({
      provider: z.string(),
      isolation: z.string().nullable(),
      /** "warm": its latest sandbox started from the repository's prebuilt snapshot; "cold": it cloned. */
      start: z.enum(["warm", "cold"]).optional(),
    })
    .optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Session = z.infer<typeof Session>;

export const ListSessionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
  status: SessionStatus.optional(),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuery>;

export const ListSessionsResponse = z.object({
  sessions: z.array(Session),
  nextCursor: z.string().nullable(),
});
export type ListSessionsResponse = z.infer<typeof ListSessionsResponse>;

export const SendPromptRequest = z.strictObject({ text: PromptText });
export type SendPromptRequest = z.infer<typeof SendPromptRequest>;

export const SendPromptResponse = z.object({
  promptId: z.string(),
  /** How many prompts are ahead of this one (0: it runs next). */
  position: z.number().int().nonnegative(),
});
export type SendPromptResponse = z.infer<typeof SendPromptResponse>;

export const EVENTS_PAGE_MAX = 1000;
export const EventsPageQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(EVENTS_PAGE_MAX).default(500),
});
export type EventsPageQuery = z.infer<typeof EventsPageQuery>;

export const EventsPage = z.object({
  events: z.array(StoredEvent),
  /** Pass as `after` to read the next page. */
  nextAfter: z.number().int().nonnegative(),
  hasMore: z.boolean(),
});
export type EventsPage = z.infer<typeof EventsPage>;

export const StreamQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  name: z.string().trim().min(1).max(80).optional(),
});
export type StreamQuery = z.infer<typeof StreamQuery>;

export const Health = z.object({ ok: z.literal(true), version: z.string(), time: z.string() });
export type Health = z.infer<typeof Health>;

/** A repository a session may target, as the new-session picker lists them. */
export const RepositoryChoice = z.object({
  repo: RepoRef,
  /** How the dashboard shows it: "demo" for local, "owner/name" for GitHub. */
  label: z.string(),
  defaultBranch: z.string().nullable(),
});
export type RepositoryChoice = z.infer<typeof RepositoryChoice>;

export const ListRepositoriesResponse = z.object({ repositories: z.array(RepositoryChoice) });
export type ListRepositoriesResponse = z.infer<typeof ListRepositoriesResponse>;
