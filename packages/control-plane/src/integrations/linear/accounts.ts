/**
 * Linear users ↔ Nightshift members through the shared one-time connect link
 * (integrations/account-links.ts), as for Slack. Linear shows the link in an `elicitation` with the
 * `auth` signal addressed to the requester alone, never in the activity's text (which Linear
 * mirrors as a comment everyone reading the issue sees). Emails are not matched: a Linear
 * workspace's email says nothing about who holds a Nightshift account.
 */
import { findLinearInstallation, findLinearUserLink, linkLinearUser } from "../../db/repositories/linear";
import type { Actor, Bindings } from "../../env";
import * as links from "../account-links";
import type { LinearOrigin } from "./events";

export const LINEAR_ACCOUNTS: links.AccountLinkKind = {
  slug: "linear",
  providerName: "Linear",
  askAgain: "delegate the issue to Nightshift again for a new one",
  isConnected: async (db, tenantId, organizationId) =>
    (await findLinearInstallation(db, organizationId))?.tenantId === tenantId,
  findLinkedUser: findLinearUserLink,
  bind: (db, tenantId, link) =>
    linkLinearUser(db, tenantId, {
      organizationId: link.account,
      linearUserId: link.externalUserId,
      userId: link.userId,
      now: link.now,
    }),
};

/** The delegation a connect link resumes once it is used: enough to start its session then. */
export interface PendingDelegation {
  agentSessionId: string;
  issueId: string;
  teamId: string | null;
  issueIdentifier: string | null;
  issueUrl: string | null;
  viaComment: boolean;
}

function resumeOf(origin: LinearOrigin): Record<string, string> | undefined {
  if (!origin.agentSessionId) return undefined;
  return {
    agentSessionId: origin.agentSessionId,
    issueId: origin.issueId,
    ...(origin.teamId ? { teamId: origin.teamId } : {}),
    ...(origin.issueIdentifier ? { issueIdentifier: origin.issueIdentifier } : {}),
    ...(origin.issueUrl && origin.issueUrl.length <= 256 ? { issueUrl: origin.issueUrl } : {}),
    ...(origin.viaComment ? { viaComment: "1" } : {}),
  };
}

/** The link that binds the requester of `origin` to whoever opens it, and then resumes its delegation. */
export function connectAccountUrl(env: Bindings, tenantId: string, origin: LinearOrigin): Promise<string> {
  const resume = resumeOf(origin);
  return links.connectAccountUrl(env, LINEAR_ACCOUNTS, {
    tenantId,
    account: origin.organizationId,
    externalUserId: origin.requester.id,
    ...(resume ? { resume } : {}),
  });
}

/** Binds the Linear user a link names to the caller; returns the delegation to resume, if any. */
export async function completeAccountLink(
  env: Bindings,
  actor: Actor,
  token: string,
): Promise<{ organizationId: string; linearUserId: string; pending: PendingDelegation | null }> {
  const claims = await links.completeAccountLink(env, LINEAR_ACCOUNTS, actor, token);
  const r = claims.resume;
  const pending =
    r?.agentSessionId && r.issueId
      ? {
          agentSessionId: r.agentSessionId,
          issueId: r.issueId,
          teamId: r.teamId ?? null,
          issueIdentifier: r.issueIdentifier ?? null,
          issueUrl: r.issueUrl ?? null,
          viaComment: r.viaComment === "1",
        }
      : null;
  return { organizationId: claims.account, linearUserId: claims.externalUserId, pending };
}

/** The member a Linear user acts as in this tenant, or null when unlinked or no longer a member. */
export function linkedActor(
  env: Bindings,
  tenantId: string,
  organizationId: string,
  linearUserId: string,
): Promise<Actor | null> {
  return links.linkedActor(env, LINEAR_ACCOUNTS, tenantId, organizationId, linearUserId);
}
