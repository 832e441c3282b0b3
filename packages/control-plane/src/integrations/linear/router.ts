/**
 * What a verified Linear delivery does, after it has been acknowledged: the organization names the
 * tenant (unknown → logged, nothing started); the requester must have linked their Linear account
 * to a member (accounts.ts; the first time → a private connect link, no session, and the
 * delegation resumes once they connect); the repository comes from the team's mapping in Settings or
 * the issue text (neither → an elicitation asks); the first `thought` is posted before the session
 * is created so Linear hears back within seconds, and what it needs (the requester's link, the
 * agent session's link, the team's repository, the tokens) is looked up at once, beside the rate
 * limit check, not one round trip after another; the session starts through services/sessions.ts,
 * which applies the same per-user write check as every other entry point. A `prompted` activity is
 * a follow-up on the agent session's Nightshift session, and its `stop` signal stops it.
 */
import { openDatabase } from "../../db/client";
import {
  deleteLinearInstallation,
  findAgentSessionLink,
  findLinearInstallation,
  findTeamRepository,
  type LinearInstallationRow,
  recordAgentSession,
} from "../../db/repositories/linear";
import type { Actor, Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import { enforceWebhookRateLimit } from "../../rate-limit/limiter";
import { createSession, sendPrompt, stopSession, titleFrom } from "../../services/sessions";
import type { IntegrationLog } from "../port";
import { sessionToDrive } from "../session-driver";
import { connectAccountUrl, linkedActor, type PendingDelegation } from "./accounts";
import { requireLinear } from "./config";
import type { LinearIntent, LinearOrigin } from "./events";
import * as say from "./messages";
import {
  type ActivityContent,
  type AuthSignal,
  addSessionUrls,
  createActivity,
  issueText,
  type LinearCaller,
  moveToFirstStartedState,
} from "./operations";
import { repositoryIn } from "./text";
import { prefetchLinearTokens, withLinearToken } from "./token";

type ActingIntent = Extract<LinearIntent, { kind: "start" | "follow-up" | "stop" }>;

/** Calls Linear as the organization's app, refreshing its token when needed. */
export type LinearSender = <T>(call: (caller: LinearCaller) => Promise<T>) => Promise<T>;

export function senderFor(
  env: Bindings,
  install: LinearInstallationRow,
  options: { prefetch?: boolean } = {},
): LinearSender {
  const apiUrl = requireLinear(env).apiUrl;
  // With `prefetch`, the first call's tokens start opening now, beside the caller's other lookups.
  let prefetched = options.prefetch ? prefetchLinearTokens(env, install) : undefined;
  return (call) => {
    const opened = prefetched;
    prefetched = undefined;
    return withLinearToken(env, install, (token) => call({ apiUrl, token }), opened);
  };
}

type Repository = Awaited<ReturnType<typeof findTeamRepository>>;

/** What the first activity waits on; each is a round trip to D1 (the actor is two). */
interface Lookups {
  actor: Promise<Actor | null>;
  link: ReturnType<typeof findAgentSessionLink> | Promise<null>;
  mapped: Promise<Repository>;
}

function teamRepository(env: Bindings, tenantId: string, teamId: string | null): Promise<Repository> {
  return teamId ? findTeamRepository(openDatabase(env.DB), tenantId, teamId) : Promise.resolve(null);
}

/**
 * Starts every lookup the delivery may need at once, all scoped to the installation's tenant. A
 * dropped delivery (over its rate limit) never awaits them: no unhandled rejection then.
 */
function lookUp(env: Bindings, install: LinearInstallationRow, origin: LinearOrigin): Lookups {
  const lookups: Lookups = {
    actor: linkedActor(env, install.tenantId, origin.organizationId, origin.requester.id),
    link: origin.agentSessionId
      ? findAgentSessionLink(openDatabase(env.DB), install.tenantId, origin.agentSessionId)
      : Promise.resolve(null),
    mapped: teamRepository(env, install.tenantId, origin.teamId),
  };
  for (const pending of [lookups.actor, lookups.link, lookups.mapped]) pending.catch(() => undefined);
  return lookups;
}

export async function routeLinearIntent(
  env: Bindings,
  intent: LinearIntent,
  log: IntegrationLog,
): Promise<void> {
  if (intent.kind === "ignore") return;
  const db = openDatabase(env.DB);
  const organizationId = intent.kind === "unlink" ? intent.account : intent.origin.organizationId;
  const install = await findLinearInstallation(db, organizationId);
  if (!install) {
    log.info(`organization ${organizationId} is not connected to any tenant; ${intent.kind} ignored`);
    return;
  }
  if (intent.kind === "unlink") {
    await deleteLinearInstallation(db, install.tenantId, organizationId);
    log.info(`organization ${organizationId} revoked the app; unlinked from its tenant`);
    return;
  }
  if (intent.origin.assigneeId !== undefined && intent.origin.assigneeId !== install.appUserId) return;
  // Linear's panel waits for the first activity: its lookups run beside the rate limit check.
  const lookups = lookUp(env, install, intent.origin);
  const send = senderFor(env, install, { prefetch: true });
  try {
    await enforceWebhookRateLimit(env, install.tenantId);
  } catch (error) {
    if (error instanceof AppError && error.status === 429) {
      log.info(`tenant ${install.tenantId} is over its webhook rate limit; ${intent.kind} dropped`);
      return;
    }
    throw error;
  }
  await actOn(env, install, intent, send, lookups, log);
}

async function actOn(
  env: Bindings,
  install: LinearInstallationRow,
  intent: ActingIntent,
  send: LinearSender,
  lookups: Lookups,
  log: IntegrationLog,
): Promise<void> {
  const { origin } = intent;
  const agentSessionId = origin.agentSessionId;
  const activity = activityIn(send, agentSessionId);
  const actor = await lookups.actor;
  if (!actor) {
    if (!agentSessionId) {
      // A plain assignment has no agent panel: nowhere private to show a link, so nothing is said.
      log.info(`Linear user ${origin.requester.id} is not linked; the assignment starts nothing`);
      return;
    }
    const url = await connectAccountUrl(env, install.tenantId, origin);
    const signal: AuthSignal = {
      signal: "auth",
      signalMetadata: { url, userId: origin.requester.id, providerName: "Nightshift" },
    };
    await activity({ type: "elicitation", body: say.connectAccountMessage() }, signal);
    log.info(`Linear user ${origin.requester.id} is not linked; sent a connect link`);
    return;
  }
  const link = await lookups.link;
  try {
    if (intent.kind === "stop") {
      if (!link) return void (await activity({ type: "response", body: say.noSessionMessage() }));
      await sessionToDrive(env, actor, link.sessionId, "stop");
      await stopSession(env, actor, link.sessionId);
      await activity({
        type: "response",
        body: say.stoppedMessage(say.sessionUrlFor(env.PUBLIC_URL, link.sessionId)),
      });
      return;
    }
    if (intent.kind === "follow-up" && link) {
      await sessionToDrive(env, actor, link.sessionId, "steer");
      await activity({ type: "thought", body: say.followUpThought() });
      await sendPrompt(env, actor, link.sessionId, intent.text);
      return;
    }
    // A start, or the answer to "which repository?" (a prompt on an agent session without a
    // session): then the task is the issue itself, and the reply says where.
    const text =
      intent.kind === "start"
        ? intent.text
        : `${await send((c) => issueText(c, origin.issueId))}\n\n${intent.text}`;
    const fresh = intent.kind === "start";
    await start(env, install, actor, origin, text, fresh, lookups.mapped, send, activity, log);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // AppError messages are written for people and carry no secrets: the requester sees why.
    await activity({ type: "error", body: say.refusedMessage(error.message) });
    log.info(`${intent.kind} refused: ${error.code}`);
  }
}

type Activity = (content: ActivityContent, signal?: AuthSignal) => Promise<void>;

function activityIn(send: LinearSender, agentSessionId: string | null): Activity {
  return (content, signal) =>
    agentSessionId
      ? send((caller) => createActivity(caller, agentSessionId, content, crypto.randomUUID(), signal))
      : Promise.resolve();
}

/**
 * After a requester used their connect link: the delegation that sent it starts now, as them (the
 * same write check as ever), unless its agent session already has a session. Linear's guidance:
 * resume with a thought once the account is linked.
 */
export async function resumeLinearDelegation(
  env: Bindings,
  actor: Actor,
  linked: { organizationId: string; linearUserId: string; pending: PendingDelegation },
  log: IntegrationLog,
): Promise<void> {
  const { pending } = linked;
  const db = openDatabase(env.DB);
  const install = await findLinearInstallation(db, linked.organizationId);
  if (install?.tenantId !== actor.tenantId) return;
  if (await findAgentSessionLink(db, install.tenantId, pending.agentSessionId)) return;
  const send = senderFor(env, install, { prefetch: true });
  const mapped = teamRepository(env, install.tenantId, pending.teamId);
  mapped.catch(() => undefined);
  const activity = activityIn(send, pending.agentSessionId);
  const origin: LinearOrigin = {
    organizationId: install.organizationId,
    agentSessionId: pending.agentSessionId,
    issueId: pending.issueId,
    issueIdentifier: pending.issueIdentifier,
    issueUrl: pending.issueUrl,
    teamId: pending.teamId,
    requester: { id: linked.linearUserId, email: null, name: null },
    viaComment: pending.viaComment,
  };
  try {
    await activity({ type: "thought", body: say.connectedThought() });
    const text = await send((c) => issueText(c, pending.issueId));
    await start(env, install, actor, origin, text, true, mapped, send, activity, log);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await activity({ type: "error", body: say.refusedMessage(error.message) });
    log.info(`resumed delegation refused: ${error.code}`);
  }
}

async function start(
  env: Bindings,
  install: LinearInstallationRow,
  actor: Actor,
  origin: LinearOrigin,
  text: string,
  fresh: boolean,
  mapped: Promise<Repository>,
  send: LinearSender,
  activity: Activity,
  log: IntegrationLog,
): Promise<void> {
  const db = openDatabase(env.DB);
  const repository = (await mapped) ?? repositoryIn(text);
  if (!repository) {
    await activity({ type: "elicitation", body: say.ASK_REPOSITORY });
    log.info("no repository for the issue; asked which");
    return;
  }
  // Linear shows an agent as unresponsive without an activity within 10 s: say something first.
  await activity({ type: "thought", body: say.startingThought(`${repository.owner}/${repository.name}`) });
  const session = await createSession(
    env,
    actor,
    {
      repo: { kind: "github", owner: repository.owner, name: repository.name },
      prompt: text,
      title: titleFrom(text),
    },
    "linear",
    {
      linear: {
        organizationId: install.organizationId,
        agentSessionId: origin.agentSessionId,
        issueId: origin.issueId,
      },
    },
  );
  await recordAgentSession(db, install.tenantId, {
    agentSessionId: origin.agentSessionId ?? `issue:${origin.issueId}`,
    organizationId: install.organizationId,
    issueId: origin.issueId,
    issueIdentifier: origin.issueIdentifier,
    issueUrl: origin.issueUrl,
    sessionId: session.id,
  });
  log.info(`started session ${session.id} for issue ${origin.issueIdentifier ?? origin.issueId}`);
  const agentSessionId = origin.agentSessionId;
  const sessionUrl = say.sessionUrlFor(env.PUBLIC_URL, session.id);
  // Best effort: the session runs whether or not Linear took these.
  const extras: Promise<unknown>[] = [];
  if (agentSessionId)
    extras.push(
      send((c) => addSessionUrls(c, agentSessionId, [{ label: "Nightshift session", url: sessionUrl }])),
    );
  // Linear's guidance: a delegated issue (not a mention in a comment) moves to its first started state.
  if (fresh && !origin.viaComment) extras.push(send((c) => moveToFirstStartedState(c, origin.issueId)));
  for (const outcome of await Promise.allSettled(extras))
    if (outcome.status === "rejected")
      log.info(
        `a Linear update failed: ${outcome.reason instanceof Error ? outcome.reason.message : "unknown"}`,
      );
}
