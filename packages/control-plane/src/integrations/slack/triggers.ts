/**
 * What a verified Slack event does, after it has been acknowledged: the workspace names the
 * tenant (unknown → logged, nothing started); the Slack user must be linked to a member (first
 * time: a private connect link); the repository comes from the message or the channel's default
 * (neither: a reply asks); the session starts through services/sessions.ts, which applies the
 * same per-user write check as every other entry point. A mention in a session's thread is a
 * follow-up on it, and `stop` there stops it.
 */
import { openDatabase } from "../../db/client";
import { findTenantRepository } from "../../db/repositories/github";
import { findSession } from "../../db/repositories/sessions";
import {
  deleteSlackInstallation,
  findChannelRepository,
  findSlackInstallation,
  findThreadSession,
  recordThreadSession,
} from "../../db/repositories/slack";
import type { Actor, Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import { enforceWebhookRateLimit } from "../../rate-limit/limiter";
import { createSession, sendPrompt, stopSession, titleFrom } from "../../services/sessions";
import type { IntegrationLog } from "../port";
import { requireDriver, sessionToDrive } from "../session-driver";
import { connectAccountUrl, linkedActor } from "./accounts";
import { SlackApi } from "./api-client";
import { requireSlack } from "./config";
import type { SlackIntent, SlackOrigin } from "./events";
import {
  askRepositoryMessage,
  connectAccountMessage,
  followUpMessage,
  noSessionMessage,
  refusedMessage,
  stoppedMessage,
} from "./messages";
import { repositoryCandidates } from "./text";
import { openBotToken } from "./token";

type ActingIntent = Extract<SlackIntent, { kind: "start" | "follow-up" | "stop" }>;

const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

export async function routeSlackIntent(
  env: Bindings,
  intent: SlackIntent,
  log: IntegrationLog,
): Promise<void> {
  if (intent.kind === "ignore" || intent.kind === "url_verification") return;
  const db = openDatabase(env.DB);
  const teamId = intent.kind === "unlink" ? intent.account : intent.origin.teamId;
  const install = await findSlackInstallation(db, teamId);
  if (!install) {
    log.info(`workspace ${teamId} is not connected to any tenant; ${intent.kind} ignored`);
    return;
  }
  if (intent.kind === "unlink") {
    await deleteSlackInstallation(db, install.tenantId, teamId);
    log.info(`workspace ${teamId} revoked the app; unlinked from its tenant`);
    return;
  }
  try {
    await enforceWebhookRateLimit(env, install.tenantId);
  } catch (error) {
    if (error instanceof AppError && error.status === 429) {
      log.info(`tenant ${install.tenantId} is over its webhook rate limit; ${intent.kind} dropped`);
      return;
    }
    throw error;
  }
  const api = new SlackApi(requireSlack(env).apiUrl, await openBotToken(env, install));
  await actOn(env, install.tenantId, intent, api, log);
}

async function actOn(
  env: Bindings,
  tenantId: string,
  intent: ActingIntent,
  api: SlackApi,
  log: IntegrationLog,
) {
  const { origin } = intent;
  const say = (text: string) => api.postMessage(origin.channelId, origin.threadTs, text);
  const actor = await linkedActor(env, tenantId, origin.teamId, intent.actor.userId);
  if (!actor) {
    const url = await connectAccountUrl(env, {
      tenantId,
      teamId: origin.teamId,
      slackUserId: intent.actor.userId,
    });
    const text = connectAccountMessage(url);
    // In a channel the link is shown only to the person who asked: whoever opens it becomes them.
    if (origin.direct) await say(text);
    else await api.postEphemeral(origin.channelId, intent.actor.userId, origin.threadTs, text);
    log.info(`Slack user ${intent.actor.userId} is not linked; sent a connect link`);
    return;
  }
  const db = openDatabase(env.DB);
  const sessionId = intent.kind === "start" ? null : await findThreadSession(db, tenantId, origin);
  try {
    if (intent.kind === "stop") {
      if (!sessionId) return void (await say(noSessionMessage()));
      await stopAs(env, actor, sessionId);
      await say(stoppedMessage());
      return;
    }
    if (sessionId) return await followUp(env, actor, sessionId, intent.text, origin, say, log);
    await start(env, actor, intent.text, origin, say, log);
  } catch (error) {
    // The service's own refusals are written for people (no access, not connected, not found).
    if (error instanceof AppError && error.status < 500) {
      log.info(`refused for Slack user ${intent.actor.userId}: ${error.code}`);
      await say(refusedMessage(error.message));
      return;
    }
    throw error;
  }
}

async function stopAs(env: Bindings, actor: Actor, sessionId: string): Promise<void> {
  await sessionToDrive(env, actor, sessionId, "stop");
  await stopSession(env, actor, sessionId);
}

async function start(
  env: Bindings,
  actor: Actor,
  text: string,
  origin: SlackOrigin,
  say: (text: string) => Promise<string>,
  log: IntegrationLog,
  /** A follow-up on a finished session continues its repository and branch. */
  continues?: { repo: { owner: string; name: string }; branch: string },
): Promise<void> {
  const repo = continues?.repo ?? (await repositoryFor(env, actor.tenantId, text, origin));
  if (!repo || !text) {
    await say(askRepositoryMessage());
    return;
  }
  const thread = { teamId: origin.teamId, channelId: origin.channelId, threadTs: origin.threadTs };
  const session = await createSession(
    env,
    actor,
    { repo: { kind: "github", owner: repo.owner, name: repo.name }, title: titleFrom(text), prompt: text },
    "slack",
    { slack: thread, ...(continues ? { branch: continues.branch } : {}) },
  );
  await recordThreadSession(openDatabase(env.DB), actor.tenantId, thread, session.id);
  log.info(`Slack mention started session ${session.id} on ${repo.owner}/${repo.name}`);
}

/**
 * The repository to work on: the first one the message names that the tenant has connected, else
 * the channel's default, else the first it names (so the refusal says which one is not connected).
 */
async function repositoryFor(
  env: Bindings,
  tenantId: string,
  text: string,
  origin: SlackOrigin,
): Promise<{ owner: string; name: string } | null> {
  const db = openDatabase(env.DB);
  const candidates = repositoryCandidates(text);
  for (const c of candidates) if (await findTenantRepository(db, tenantId, c.owner, c.name)) return c;
  return (
    (await findChannelRepository(db, tenantId, origin.teamId, origin.channelId)) ?? candidates[0] ?? null
  );
}

async function followUp(
  env: Bindings,
  actor: Actor,
  sessionId: string,
  text: string,
  origin: SlackOrigin,
  say: (text: string) => Promise<string>,
  log: IntegrationLog,
): Promise<void> {
  if (!text) return;
  const db = openDatabase(env.DB);
  const session = await findSession(db, actor.tenantId, sessionId);
  if (!session) return start(env, actor, text, origin, say, log);
  requireDriver(actor, session, "steer");
  try {
    // sendPrompt applies the write check on the session's repository, as for the dashboard.
    await sendPrompt(env, actor, sessionId, text);
    const base = (env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, "");
    await say(followUpMessage(`${base}/sessions/${sessionId}`));
    log.info(`Slack follow-up queued on session ${sessionId}`);
  } catch (error) {
    // A finished session takes no more prompts: continue its branch in a new session in this thread.
    if (!(error instanceof AppError && error.code === "session_closed")) throw error;
    if (session.repo.kind !== "github") throw error;
    const repo = { owner: session.repo.owner, name: session.repo.name };
    await start(env, actor, text, origin, say, log, { repo, branch: session.branch });
  }
}
