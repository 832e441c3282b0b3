/**
 * Session use cases: the glue between the D1 index (listing) and the session's DO (truth).
 * Routes call these; these call repositories and DO RPC, never SQL directly.
 */
import {
  type CreateSessionRequest,
  type EventsPage,
  type ListSessionsQuery,
  type ListSessionsResponse,
  type SendPromptResponse,
  type Session,
  TERMINAL_STATUSES,
  type Trigger,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { budgetAtCreate, warningNotice } from "../budgets/month-budget";
import { slotPolicyFrom } from "../capacity/limits";
import { openDatabase } from "../db/client";
import { findSession, insertSession, listSessions } from "../db/repositories/sessions";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { withoutInternalHeaders } from "../http/forward-headers";
import { requireWriteAccess } from "../integrations/github/access";
import type { LinearBinding } from "../integrations/linear/session-keys";
import type { SlackThreadBinding } from "../integrations/slack/session-keys";
import {
  INTERNAL_PARTICIPANT_HEADER,
  INTERNAL_PARTICIPANT_NAME_HEADER,
  INTERNAL_TENANT_HEADER,
} from "../session/internal-headers";
import type { NewPrompt, RpcResult } from "../session/rpc-types";
import type { SessionGithubBinding } from "../session/store";
import { resolveAgentChoice } from "./agent-choice";
import { resolveSandboxProvider } from "./sandbox-settings";

const SESSION_ID = /^[0-9a-z]{26}$/;

export function newSessionId(): string {
  return ulid().toLowerCase();
}

/** Branch names are derived from the title so a human recognises them: nightshift/<slug>-<id tail>. */
export function branchFor(id: string, title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `nightshift/${slug ? `${slug}-` : ""}${id.slice(-8)}`;
}

export function titleFrom(prompt: string): string {
  const line =
    prompt
      .split("\n")
      .find((l) => l.trim().length > 0)
      ?.trim() ?? "Untitled session";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function unwrap<T>(result: RpcResult<T>, sessionId: string): T {
  if (result.ok) return result.value;
  if (result.code === "session_not_found") throw AppError.sessionNotFound(sessionId);
  if (result.code === "session_closed") throw new AppError("session_closed", result.message);
  if (result.code === "budget_exhausted") throw new AppError("budget_exhausted", result.message);
  throw new AppError("invalid_request", result.message);
}

function stubFor(env: Bindings, sessionId: string) {
  return env.SESSION_AGENT.getByName(sessionId);
}

async function requireSession(env: Bindings, actor: Actor, id: string): Promise<Session> {
  const session = await findSession(openDatabase(env.DB), actor.tenantId, id);
  if (!session) throw AppError.sessionNotFound(id);
  return session;
}

/** How an integration shapes a session beyond the request: its branch, its GitHub binding, where to answer. */
export interface SessionOrigin {
  branch?: string;
  github?: SessionGithubBinding;
  reply?: NewPrompt["github"];
  /** A session started from Slack: the thread it answers in (integrations/slack/session-slack.ts). */
  slack?: SlackThreadBinding;
  /** A session started from Linear: the issue and agent session it answers (integrations/linear/session-linear.ts). */
  linear?: LinearBinding;
  /** A session started by an automation (trigger webhook or schedule): shown on the session. */
  automation?: { id: string; name: string };
  /** An id allocated before the session exists (newSessionId()): an automation's 202 names it first. */
  id?: string;
}

export async function createSession(
  env: Bindings,
  actor: Actor,
  req: Omit<CreateSessionRequest, "allowForcePush"> & { allowForcePush?: boolean },
  trigger: Trigger,
  origin: SessionOrigin = {},
): Promise<Session> {
  if (req.repo.kind === "local" && env.NIGHTSHIFT_MODE !== "local") {
    throw new AppError(
      "invalid_request",
      "local repositories exist only in local mode (NIGHTSHIFT_MODE=local, one machine, one person); start the session on a GitHub repository",
    );
  }
  // The hard monthly budget stops new sessions from every entry point here (budgets/month-budget.ts).
  const budget = await budgetAtCreate(env, openDatabase(env.DB), actor.tenantId, req.limits, new Date());
  const github =
    origin.github ?? (req.repo.kind === "github" ? await requireWriteAccess(env, actor, req.repo) : null);
  // Read before anything is written: a bad slot setting, or an agent or provider the deployment
  // cannot run, fails this request, not a later turn. Both are kept with the session for good.
  const { agent, model } = await resolveAgentChoice(env, actor.tenantId, req);
  const sandboxProvider = await resolveSandboxProvider(env, actor.tenantId, req.repo);
  const slots = slotPolicyFrom(env, sandboxProvider);
  const id = origin.id && SESSION_ID.test(origin.id) ? origin.id : newSessionId();
  const title = req.title ?? titleFrom(req.prompt);
  const now = new Date().toISOString();
  const session = await insertSession(openDatabase(env.DB), actor.tenantId, {
    id,
    title,
    repo: req.repo,
    agent,
    model,
    status: "queued",
    trigger,
    createdBy: actor.userId,
    branch: origin.branch ?? branchFor(id, title),
    sandboxProvider,
    ...(origin.automation
      ? { automationId: origin.automation.id, automationName: origin.automation.name }
      : {}),
    createdAt: now,
  });
  const result = await stubFor(env, id).initialize({
    sessionId: id,
    tenantId: actor.tenantId,
    title,
    repo: req.repo,
    agent,
    model,
    branch: session.branch,
    baseBranch: req.baseBranch ?? null,
    allowForcePush: req.allowForcePush ?? false,
    github,
    ...(origin.slack ? { slack: origin.slack } : {}),
    ...(origin.linear ? { linear: origin.linear } : {}),
    slots,
    sandboxProvider,
    createdBy: actor.userId,
    ...(budget.caps ? { caps: budget.caps } : {}),
    ...(budget.status.state === "warning" ? { notice: warningNotice(budget.status) } : {}),
    prompt: {
      id: ulid().toLowerCase(),
      text: req.prompt,
      author: authorOf(actor),
      ...(origin.reply ? { github: origin.reply } : {}),
    },
  });
  const { status } = unwrap(result, id);
  const queuePosition = status === "queued" ? (await liveStatusOf(env, actor, id))?.queuePosition : null;
  return { ...session, status, ...(queuePosition ? { queuePosition } : {}) };
}

async function liveStatusOf(env: Bindings, actor: Actor, id: string) {
  const live = await stubFor(env, id).liveStatus(actor.tenantId);
  return live.ok ? live.value : null;
}

function authorOf(actor: Actor) {
  return { id: actor.userId, name: actor.name, email: `${actor.userId}@users.nightshift.invalid` };
}

/**
 * One session. While it is not finished its status comes from its DO, which holds the truth (the
 * D1 index writes only the ends of turns at once: index-sync.ts), with its place in line if queued.
 */
export async function getSession(env: Bindings, actor: Actor, id: string): Promise<Session> {
  const session = await requireSession(env, actor, id);
  if (TERMINAL_STATUSES.has(session.status)) return session;
  const live = await liveStatusOf(env, actor, id);
  if (!live) return session;
  const sandbox = session.sandbox && {
    ...session.sandbox,
    isolation: live.sandboxIsolation ?? session.sandbox.isolation,
    ...(live.sandboxStart ? { start: live.sandboxStart } : {}),
  };
  return {
    ...session,
    status: live.status,
    costUsd: live.costUsd,
    ...(sandbox ? { sandbox } : {}),
    ...(live.queuePosition ? { queuePosition: live.queuePosition } : {}),
  };
}

export async function listTenantSessions(
  env: Bindings,
  actor: Actor,
  q: ListSessionsQuery,
): Promise<ListSessionsResponse> {
  return listSessions(openDatabase(env.DB), actor.tenantId, q);
}

export async function sendPrompt(
  env: Bindings,
  actor: Actor,
  id: string,
  text: string,
  reply?: NewPrompt["github"],
): Promise<SendPromptResponse> {
  const session = await requireSession(env, actor, id);
  // Each prompt can push: on GitHub it needs the same write access as starting the session. A
  // GitHub trigger (`reply`) has already checked its sender.
  if (session.repo.kind === "github" && !reply) await requireWriteAccess(env, actor, session.repo);
  const result = await stubFor(env, id).enqueuePrompt(actor.tenantId, {
    id: ulid().toLowerCase(),
    text,
    author: authorOf(actor),
    ...(reply ? { github: reply } : {}),
  });
  return unwrap(result, id);
}

export async function stopSession(env: Bindings, actor: Actor, id: string): Promise<Session> {
  const session = await requireSession(env, actor, id);
  const { status } = unwrap(await stubFor(env, id).stop(actor.tenantId), id);
  return { ...session, status };
}

export async function readEventsPage(
  env: Bindings,
  actor: Actor,
  id: string,
  after: number,
  limit: number,
): Promise<EventsPage> {
  await requireSession(env, actor, id);
  return unwrap(await stubFor(env, id).readEvents(actor.tenantId, after, limit), id);
}

/** Hands a WebSocket upgrade to the session's DO after the tenant check. */
export async function openStream(
  env: Bindings,
  actor: Actor,
  id: string,
  request: Request,
): Promise<Response> {
  await requireSession(env, actor, id);
  const headers = withoutInternalHeaders(request.headers);
  headers.set(INTERNAL_TENANT_HEADER, actor.tenantId);
  headers.set(INTERNAL_PARTICIPANT_HEADER, actor.userId);
  headers.set(
    INTERNAL_PARTICIPANT_NAME_HEADER,
    encodeURIComponent(actor.name || actor.login || actor.userId),
  );
  return stubFor(env, id).fetch(new Request(request.url, { headers }));
}
