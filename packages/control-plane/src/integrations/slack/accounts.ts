/**
 * Slack users ↔ Nightshift members through the shared one-time connect link
 * (integrations/account-links.ts); the link is posted ephemerally, so only the person who asked
 * sees it. Emails are not trusted across workspaces, so nothing is matched by email.
 */
import { findSlackInstallation, findSlackUserLink, linkSlackUser } from "../../db/repositories/slack";
import type { Actor, Bindings } from "../../env";
import * as links from "../account-links";

export const SLACK_ACCOUNTS: links.AccountLinkKind = {
  slug: "slack",
  providerName: "Slack",
  askAgain: "mention the app in Slack for a new one",
  isConnected: async (db, tenantId, teamId) =>
    (await findSlackInstallation(db, teamId))?.tenantId === tenantId,
  findLinkedUser: findSlackUserLink,
  bind: (db, tenantId, link) =>
    linkSlackUser(db, tenantId, {
      teamId: link.account,
      slackUserId: link.externalUserId,
      userId: link.userId,
      now: link.now,
    }),
};

/** The dashboard URL that binds `slackUserId` to whoever opens it (signed in, a member of the tenant). */
export function connectAccountUrl(
  env: Bindings,
  input: { tenantId: string; teamId: string; slackUserId: string },
): Promise<string> {
  return links.connectAccountUrl(env, SLACK_ACCOUNTS, {
    tenantId: input.tenantId,
    account: input.teamId,
    externalUserId: input.slackUserId,
  });
}

/** Binds the Slack user a link names to the caller; the link must be for the caller's tenant and unused. */
export async function completeAccountLink(
  env: Bindings,
  actor: Actor,
  token: string,
): Promise<{ teamId: string }> {
  const claims = await links.completeAccountLink(env, SLACK_ACCOUNTS, actor, token);
  return { teamId: claims.account };
}

/** The member a Slack user acts as in this tenant, or null when unlinked or no longer a member. */
export function linkedActor(
  env: Bindings,
  tenantId: string,
  teamId: string,
  slackUserId: string,
): Promise<Actor | null> {
  return links.linkedActor(env, SLACK_ACCOUNTS, tenantId, teamId, slackUserId);
}
