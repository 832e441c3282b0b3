/**
 * Parses a verified Linear webhook body into what it asks for (port.ts's intents): an agent
 * session created (a delegation or a mention) or an issue assigned to the app starts a session, a
 * `prompted` activity is a follow-up (or a stop when its signal is `stop`), the OAuth app revoked
 * unlinks the organization, anything else is ignored. Pure: no I/O, so it is tested on the real
 * deliveries. A body that is not a Linear delivery is a MalformedLinearEvent naming the field.
 */
import { z } from "zod";
import type { InboundIntent } from "../port";

/** Where a Linear request was made and where its answers go. */
export interface LinearOrigin {
  organizationId: string;
  /** The agent session activities go to; null for a plain assignment (no agent session exists). */
  agentSessionId: string | null;
  issueId: string;
  issueIdentifier: string | null;
  issueUrl: string | null;
  teamId: string | null;
  /** The Linear user who asked (their id is what a connect link binds to a Nightshift member). */
  requester: { id: string; email: string | null; name: string | null };
  /** Started by a mention in a comment (not a delegation): the issue's state is then left alone. */
  viaComment: boolean;
  /** For an assignment: who the issue was assigned to (the router checks it is the app's user). */
  assigneeId?: string;
}

export type LinearIntent = InboundIntent<LinearOrigin> & { organizationId?: string };

export class MalformedLinearEvent extends Error {}

const id = z.string().min(1).max(128);
const MAX_TEXT = 60_000;

const Envelope = z.looseObject({
  type: z.string().min(1).max(64),
  action: z.string().min(1).max(64),
  organizationId: id.optional(),
  webhookTimestamp: z.number().int().positive(),
});

const Person = z.looseObject({
  id,
  email: z.string().max(320).nullish(),
  name: z.string().max(500).nullish(),
});

const Issue = z.looseObject({
  id,
  title: z.string().max(2_000),
  description: z.string().max(MAX_TEXT).nullish(),
  identifier: z.string().max(64).nullish(),
  url: z.string().max(2_000).nullish(),
  teamId: id.nullish(),
  team: z.looseObject({ id }).nullish(),
});

const AgentSession = z.looseObject({
  id,
  issueId: id.nullish(),
  creatorId: id.nullish(),
  creator: Person.nullish(),
  issue: Issue.nullish(),
  comment: z.looseObject({ body: z.string().max(MAX_TEXT) }).nullish(),
  type: z.string().max(64).nullish(),
  sourceMetadata: z.looseObject({ type: z.string().max(64).nullish() }).nullish(),
});

const Created = z.looseObject({
  organizationId: id,
  agentSession: AgentSession.extend({ issue: Issue, creator: Person }),
  promptContext: z
    .string()
    .max(MAX_TEXT * 2)
    .nullish(),
});

const Prompted = z.looseObject({
  organizationId: id,
  agentSession: AgentSession.extend({ issueId: id }),
  agentActivity: z.looseObject({
    userId: id.nullish(),
    user: Person.nullish(),
    signal: z.string().max(32).nullish(),
    content: z.looseObject({ body: z.string().max(MAX_TEXT).nullish() }),
  }),
});

const IssueUpdate = z.looseObject({
  organizationId: id,
  actor: Person.nullish(),
  data: Issue.extend({ assigneeId: id.nullish(), creatorId: id.nullish() }),
  url: z.string().max(2_000).nullish(),
});

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join(".") || "body";
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new MalformedLinearEvent(
    issue ? `${pathOf(issue)}: ${issue.message}` : "the body is not a Linear webhook delivery",
  );
}

/** The envelope alone: the timestamp is needed before anything else is trusted. */
export function parseLinearEnvelope(body: unknown): z.infer<typeof Envelope> {
  return parseOrThrow(Envelope, body);
}

export function parseLinearEvent(body: unknown): LinearIntent {
  const envelope = parseLinearEnvelope(body);
  const organizationId = envelope.organizationId;
  if (envelope.type === "OAuthApp" && envelope.action === "revoked") {
    if (!organizationId) throw new MalformedLinearEvent("organizationId: Required");
    return { kind: "unlink", account: organizationId, organizationId };
  }
  if (envelope.type === "AgentSessionEvent" && envelope.action === "created") return created(body);
  if (envelope.type === "AgentSessionEvent" && envelope.action === "prompted") return prompted(body);
  if (envelope.type === "Issue" && envelope.action === "update") return assigned(body);
  return {
    kind: "ignore",
    reason: `${envelope.type} ${envelope.action} is not handled`,
    ...(organizationId ? { organizationId } : {}),
  };
}

function created(body: unknown): LinearIntent {
  const event = parseOrThrow(Created, body);
  const session = event.agentSession;
  const issue = session.issue;
  const origin: LinearOrigin = {
    organizationId: event.organizationId,
    agentSessionId: session.id,
    issueId: issue.id,
    issueIdentifier: issue.identifier ?? null,
    issueUrl: issue.url ?? null,
    teamId: issue.teamId ?? issue.team?.id ?? null,
    requester: {
      id: session.creator.id,
      email: session.creator.email ?? null,
      name: session.creator.name ?? null,
    },
    viaComment: session.type === "commentThread" || session.sourceMetadata?.type === "comment",
  };
  const text = issueText(issue, session.comment?.body ?? null);
  return {
    kind: "start",
    actor: { account: event.organizationId, userId: session.creator.id },
    origin,
    text,
    organizationId: event.organizationId,
  };
}

function prompted(body: unknown): LinearIntent {
  const event = parseOrThrow(Prompted, body);
  const activity = event.agentActivity;
  const userId = activity.userId ?? activity.user?.id;
  if (!userId) throw new MalformedLinearEvent("agentActivity.userId: Required");
  const origin: LinearOrigin = {
    organizationId: event.organizationId,
    agentSessionId: event.agentSession.id,
    issueId: event.agentSession.issueId,
    issueIdentifier: null,
    issueUrl: null,
    teamId: null,
    requester: { id: userId, email: activity.user?.email ?? null, name: activity.user?.name ?? null },
    viaComment: true,
  };
  const actor = { account: event.organizationId, userId };
  if (activity.signal === "stop")
    return { kind: "stop", actor, origin, organizationId: event.organizationId };
  const text = activity.content.body?.trim() ?? "";
  if (!text) return { kind: "ignore", reason: "an empty prompt", organizationId: event.organizationId };
  return { kind: "follow-up", actor, origin, text, organizationId: event.organizationId };
}

/**
 * An issue whose assignee changed (Linear sends `updatedFrom.assigneeId` only then). Whether the
 * new assignee is this app's user is the router's call: only the installation knows that id.
 */
function assigned(body: unknown): LinearIntent {
  const updatedFrom = (body as { updatedFrom?: unknown }).updatedFrom;
  const changed = typeof updatedFrom === "object" && updatedFrom !== null && "assigneeId" in updatedFrom;
  if (!changed) return { kind: "ignore", reason: "an issue update that is not an assignment" };
  const event = parseOrThrow(IssueUpdate, body);
  const issue = event.data;
  if (!issue.assigneeId) return { kind: "ignore", reason: "an issue was unassigned" };
  const requester = event.actor ?? (issue.creatorId ? { id: issue.creatorId } : null);
  if (!requester) throw new MalformedLinearEvent("actor: Required");
  const origin: LinearOrigin = {
    organizationId: event.organizationId,
    agentSessionId: null,
    issueId: issue.id,
    issueIdentifier: issue.identifier ?? null,
    issueUrl: issue.url ?? event.url ?? null,
    teamId: issue.teamId ?? issue.team?.id ?? null,
    requester: {
      id: requester.id,
      email: "email" in requester ? (requester.email ?? null) : null,
      name: "name" in requester ? (requester.name ?? null) : null,
    },
    viaComment: false,
    assigneeId: issue.assigneeId,
  };
  return {
    kind: "start",
    actor: { account: event.organizationId, userId: requester.id },
    origin,
    text: issueText(issue, null),
    organizationId: event.organizationId,
  };
}

/** The prompt: the issue's title and description, and the comment that mentioned the app. */
function issueText(
  issue: { title: string; description?: string | null; identifier?: string | null },
  comment: string | null,
): string {
  const heading = issue.identifier ? `${issue.identifier}: ${issue.title}` : issue.title;
  const parts = [heading, issue.description?.trim(), comment?.trim()].filter(
    (p): p is string => typeof p === "string" && p.length > 0,
  );
  return parts.join("\n\n");
}
