/**
 * Installing the Slack app for a tenant: an admin asks for Slack's authorize URL with a signed
 * state (tenant + user + expiry); Slack sends the browser back with a code that becomes the
 * workspace's bot token, sealed with the tenant's envelope. One workspace belongs to one tenant.
 * Uninstalling (from Settings, or Slack's tokens_revoked/app_uninstalled) forgets the workspace.
 */
import { recordAudit } from "../../audit/record";
import { openDatabase } from "../../db/client";
import {
  deleteSlackInstallation,
  findTenantSlackInstallation,
  listChannelRepositories,
  saveSlackInstallation,
} from "../../db/repositories/slack";
import { findMembership } from "../../db/repositories/tenancy";
import type { Actor, Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import { roleAtLeast } from "../../tenancy/permissions";
import { type InstallState, readInstallState, signInstallState } from "../install-state";
import { exchangeOAuthCode, SlackApiError } from "./api-client";
import { requireSlackOAuth, slackConfigOrNull } from "./config";
import { sealBotToken } from "./token";

const STATE_AUDIENCE = "nightshift-slack-install";
const STATE_TTL = "15m";
/** Least privilege: read mentions of and DMs to the app, write in the threads it was asked in. */
export const SLACK_BOT_SCOPES = ["app_mentions:read", "chat:write", "im:history"];

export type SlackInstallState = InstallState;

export interface SlackConnection {
  configured: boolean;
  connected: boolean;
  workspace: { id: string; name: string; connectedAt: string } | null;
  channels: { channelId: string; repository: string }[];
}

export async function getSlackConnection(env: Bindings, actor: Actor): Promise<SlackConnection> {
  const config = slackConfigOrNull(env);
  const db = openDatabase(env.DB);
  const row = await findTenantSlackInstallation(db, actor.tenantId);
  const channels = row ? await listChannelRepositories(db, actor.tenantId, row.teamId) : [];
  return {
    configured: config !== null,
    connected: row !== null,
    workspace: row
      ? { id: row.teamId, name: row.teamName, connectedAt: new Date(row.installedAt).toISOString() }
      : null,
    channels: channels.map((c) => ({ channelId: c.channelId, repository: `${c.owner}/${c.name}` })),
  };
}

export async function startSlackInstall(
  env: Bindings,
  actor: Actor,
  sessionKey: Uint8Array,
  redirectUri: string,
): Promise<{ url: string }> {
  const config = requireSlackOAuth(env);
  const state = await signInstallState(sessionKey, STATE_AUDIENCE, STATE_TTL, actor);
  const url = new URL(`${config.webUrl}/oauth/v2/authorize`);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("scope", SLACK_BOT_SCOPES.join(","));
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  return { url: url.toString() };
}

/** The tenant and user a state was issued to; null when forged, expired or malformed. */
export function readSlackInstallState(
  sessionKey: Uint8Array,
  state: string,
): Promise<SlackInstallState | null> {
  return readInstallState(sessionKey, STATE_AUDIENCE, state);
}

/** Finishes an install after Slack's redirect; returns the workspace's name. */
export async function completeSlackInstall(
  env: Bindings,
  claims: SlackInstallState,
  code: string,
  redirectUri: string,
): Promise<string> {
  const config = requireSlackOAuth(env);
  const db = openDatabase(env.DB);
  const membership = await findMembership(db, claims.tenantId, claims.userId);
  if (!membership || !roleAtLeast(membership.role, "admin"))
    throw new AppError("forbidden", "only a tenant admin or owner can connect Slack; ask one of them");
  let access: Awaited<ReturnType<typeof exchangeOAuthCode>>;
  try {
    access = await exchangeOAuthCode(config.apiUrl, config, code, redirectUri);
  } catch (error) {
    if (error instanceof SlackApiError && error.kind === "permanent")
      throw new AppError(
        "invalid_request",
        `Slack did not accept the install (${error.code ?? "refused"}); start again`,
      );
    throw new AppError("upstream_unavailable", "Slack could not be reached to finish the install; try again");
  }
  const row = {
    teamId: access.team.id,
    teamName: access.team.name || access.team.id,
    botUserId: access.bot_user_id,
    botToken: await sealBotToken(env, claims.tenantId, access.team.id, access.access_token),
    installedBy: claims.userId,
    installedAt: Date.now(),
  };
  if ((await saveSlackInstallation(db, claims.tenantId, row)) === "taken")
    throw new AppError(
      "conflict",
      `the Slack workspace ${row.teamName} is already connected to another Nightshift tenant; disconnect it there first`,
    );
  await recordAudit(
    db,
    claims.tenantId,
    { userId: claims.userId, name: claims.userId, login: claims.userId, via: "session" },
    {
      action: "slack.connected",
      target: { type: "slack_workspace", id: row.teamId },
      detail: { name: row.teamName },
    },
  );
  return row.teamName;
}

export async function disconnectSlack(env: Bindings, actor: Actor): Promise<void> {
  const db = openDatabase(env.DB);
  const row = await findTenantSlackInstallation(db, actor.tenantId);
  if (!row || !(await deleteSlackInstallation(db, actor.tenantId, row.teamId)))
    throw new AppError("not_found", "no Slack workspace is connected to this tenant");
  await recordAudit(db, actor.tenantId, actor, {
    action: "slack.disconnected",
    target: { type: "slack_workspace", id: row.teamId },
  });
}
