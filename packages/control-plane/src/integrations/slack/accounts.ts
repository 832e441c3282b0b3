/**
 * Slack users ↔ Nightshift members. The first time someone unknown mentions the app, they get a
 * one-time "connect your account" link (a signed token naming the tenant, workspace and Slack
 * user, valid 30 minutes, usable once) shown only to them; opening it signed in to Nightshift binds
 * that Slack user to the member who opened it, in this tenant only.
 */
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { openDatabase } from "../../db/client";
import { findSlackInstallation, findSlackUserLink, linkSlackUser } from "../../db/repositories/slack";
import { findMembership } from "../../db/repositories/tenancy";
import { findUser } from "../../db/repositories/users";
import { claimDelivery } from "../../db/webhook-deliveries";
import type { Actor, Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import { readAuthConfig } from "../../tenancy/auth-config";

const LINK_AUDIENCE = "nightshift-slack-link";
const LINK_TTL = "30m";
const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

const LinkClaims = z.object({
  tenantId: z.string().min(1),
  teamId: z.string().min(1),
  slackUserId: z.string().min(1),
  jti: z.string().min(1),
});

/** The dashboard URL that binds `slackUserId` to whoever opens it (signed in, a member of the tenant). */
export async function connectAccountUrl(
  env: Bindings,
  input: { tenantId: string; teamId: string; slackUserId: string },
): Promise<string> {
  const token = await new SignJWT({ ...input })
    .setProtectedHeader({ alg: "HS256" })
    .setAudience(LINK_AUDIENCE)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(LINK_TTL)
    .sign(readAuthConfig(env).sessionKey);
  const base = (env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, "");
  return `${base}/settings/slack/link?tenant=${encodeURIComponent(input.tenantId)}&token=${encodeURIComponent(token)}`;
}

/** Binds the Slack user a link names to the caller; the link must be for the caller's tenant and unused. */
export async function completeAccountLink(
  env: Bindings,
  actor: Actor,
  token: string,
): Promise<{ teamId: string }> {
  let claims: z.infer<typeof LinkClaims>;
  try {
    const { payload } = await jwtVerify(token, readAuthConfig(env).sessionKey, {
      algorithms: ["HS256"],
      audience: LINK_AUDIENCE,
    });
    claims = LinkClaims.parse(payload);
  } catch {
    throw new AppError(
      "invalid_request",
      "this connect link is invalid or expired; mention the app in Slack for a new one",
    );
  }
  if (claims.tenantId !== actor.tenantId)
    throw new AppError(
      "forbidden",
      "this connect link is for another Nightshift tenant; switch to it and open the link again",
    );
  const db = openDatabase(env.DB);
  const install = await findSlackInstallation(db, claims.teamId);
  if (install?.tenantId !== actor.tenantId)
    throw new AppError("not_found", "the Slack workspace of this link is no longer connected to this tenant");
  if (!(await claimDelivery(db, `slack-link:${claims.jti}`, "slack.link", Date.now())))
    throw new AppError(
      "conflict",
      "this connect link was already used; mention the app in Slack for a new one",
    );
  const outcome = await linkSlackUser(db, actor.tenantId, {
    teamId: claims.teamId,
    slackUserId: claims.slackUserId,
    userId: actor.userId,
    now: Date.now(),
  });
  if (outcome === "taken")
    throw new AppError("conflict", "that Slack account is already connected to another Nightshift member");
  await recordAudit(db, actor.tenantId, actor, {
    action: "slack.user_linked",
    target: { type: "slack_user", id: `${claims.teamId}/${claims.slackUserId}` },
  });
  return { teamId: claims.teamId };
}

/** The member a Slack user acts as in this tenant, or null when unlinked or no longer a member. */
export async function linkedActor(
  env: Bindings,
  tenantId: string,
  teamId: string,
  slackUserId: string,
): Promise<Actor | null> {
  const db = openDatabase(env.DB);
  const userId = await findSlackUserLink(db, tenantId, teamId, slackUserId);
  if (!userId) return null;
  const [membership, user] = await Promise.all([findMembership(db, tenantId, userId), findUser(db, userId)]);
  if (!membership || !user) return null;
  return { tenantId, userId, role: membership.role, name: user.name, login: user.login, via: "integration" };
}
