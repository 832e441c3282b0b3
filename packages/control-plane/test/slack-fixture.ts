/**
 * Slack for workerd tests: a workspace registered in the testkit Slack double and installed for a
 * tenant through the real repository and sealing functions, Slack users linked to members, signed
 * event deliveries to the real Worker, and the double's inspection endpoints.
 */
import { env } from "cloudflare:workers";
import type { ListSessionsResponse, Session } from "@nightshift/protocol";
import type { PostedMessage } from "../../testkit/src/slack";
import { mentionEvent, signedSlackEvent } from "../../testkit/src/slack/event-sender";
import { openDatabase } from "../src/db/client";
import { linkSlackUser, saveSlackInstallation } from "../src/db/repositories/slack";
import { sealBotToken } from "../src/integrations/slack/token";
import { api, type Identity } from "./helpers";

export const SIGNING_SECRET = "test-slack-signing-secret";
export const PREVIOUS_SIGNING_SECRET = "test-slack-signing-secret-previous";

const slackUrl = () => (env as unknown as { SLACK_WEB_URL: string }).SLACK_WEB_URL;

export interface Workspace {
  teamId: string;
  botUserId: string;
  botToken: string;
}

/** A fresh workspace in the double (unique ids, so tests never see each other's messages). */
export async function newWorkspace(): Promise<Workspace> {
  const suffix = crypto.randomUUID().replace(/-/g, "").slice(0, 8).toUpperCase();
  const workspace = { teamId: `T${suffix}`, botUserId: `UB${suffix}`, botToken: `xoxb-test-${suffix}` };
  const res = await fetch(`${slackUrl()}/_double/workspaces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...workspace, teamName: `Team ${suffix}` }),
  });
  if (res.status !== 201) throw new Error(`the Slack double refused the workspace: ${res.status}`);
  return workspace;
}

/** Installs `workspace` for the tenant the way the OAuth callback does (sealed token, one tenant). */
export async function installWorkspace(tenant: Identity, workspace: Workspace): Promise<void> {
  const outcome = await saveSlackInstallation(openDatabase(env.DB), tenant.tenantId, {
    teamId: workspace.teamId,
    teamName: "acme",
    botUserId: workspace.botUserId,
    botToken: await sealBotToken(env, tenant.tenantId, workspace.teamId, workspace.botToken),
    installedBy: tenant.userId,
    installedAt: Date.now(),
  });
  if (outcome !== "saved") throw new Error("the workspace is taken");
}

export async function linkUser(tenant: Identity, workspace: Workspace, slackUserId: string): Promise<void> {
  await linkSlackUser(openDatabase(env.DB), tenant.tenantId, {
    teamId: workspace.teamId,
    slackUserId,
    userId: tenant.userId,
    now: Date.now(),
  });
}

export async function deliverSlack(
  payload: unknown,
  options: { timestamp?: number; retryNum?: number; secret?: string; signature?: string } = {},
): Promise<Response> {
  const { headers, body } = await signedSlackEvent(options.secret ?? SIGNING_SECRET, payload, options);
  return api("/webhooks/slack/events", { method: "POST", headers, body }, null);
}

export function mention(
  workspace: Workspace,
  input: {
    user: string;
    channel?: string;
    text: string;
    threadTs?: string;
    direct?: boolean;
    eventId?: string;
  },
) {
  return mentionEvent({
    teamId: workspace.teamId,
    botUserId: workspace.botUserId,
    channel: "C0GENERAL",
    ...input,
  });
}

export async function slackMessages(channel?: string): Promise<PostedMessage[]> {
  const q = channel ? `?channel=${encodeURIComponent(channel)}` : "";
  return (await (await fetch(`${slackUrl()}/_double/messages${q}`)).json()) as PostedMessage[];
}

export async function threadMessages(workspace: Workspace, channel: string, threadTs: string) {
  return (await slackMessages(channel)).filter(
    (m) => m.teamId === workspace.teamId && (m.threadTs === threadTs || m.ts === threadTs),
  );
}

export async function armFault(fault: Record<string, unknown>): Promise<void> {
  await fetch(`${slackUrl()}/_double/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
}

export async function sessionsOf(tenant: Identity): Promise<Session[]> {
  const res = await api("/api/v1/sessions?limit=100", {}, tenant);
  return ((await res.json()) as ListSessionsResponse).sessions;
}
