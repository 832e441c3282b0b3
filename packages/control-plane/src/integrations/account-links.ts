/**
 * Workspace users ↔ Nightshift members, for every chat-style integration (Slack, Linear). The
 * first time someone unknown asks the app for work, they get a one-time "connect your account"
 * link (a signed token naming the tenant, the workspace and their user id there, valid 30 minutes,
 * usable once) shown only to them; opening it signed in to Nightshift binds that workspace user to
 * the member who opened it, in this tenant only. Each integration supplies its own table.
 */
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Database, openDatabase } from "../db/client";
import { findMembership } from "../db/repositories/tenancy";
import { findUser } from "../db/repositories/users";
import { claimDelivery } from "../db/webhook-deliveries";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { readAuthConfig } from "../tenancy/auth-config";

const LINK_TTL = "30m";
const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

/** One integration's side of the link: its names and the table that remembers who is who. */
export interface AccountLinkKind {
  /** `slack` or `linear`: the token's audience, the one-time key's prefix, the dashboard path. */
  slug: "slack" | "linear";
  /** How a person calls the provider, such as `Slack`. */
  providerName: string;
  /** What to do for a fresh link, such as "mention the app in Slack for a new one". */
  askAgain: string;
  /** Whether `account` (a workspace or organization) is still connected to this tenant. */
  isConnected(db: Database, tenantId: string, account: string): Promise<boolean>;
  findLinkedUser(
    db: Database,
    tenantId: string,
    account: string,
    externalUserId: string,
  ): Promise<string | null>;
  bind(
    db: Database,
    tenantId: string,
    link: { account: string; externalUserId: string; userId: string; now: number },
  ): Promise<"linked" | "taken">;
}

/** What the integration resumes once the link is used (such as the agent session that asked). */
const Resume = z.record(z.string().max(64), z.string().max(256)).refine((r) => Object.keys(r).length <= 16);

const LinkClaims = z.object({
  tenantId: z.string().min(1),
  account: z.string().min(1),
  externalUserId: z.string().min(1),
  resume: Resume.optional(),
  jti: z.string().min(1),
});

export interface AccountLinkClaims {
  tenantId: string;
  account: string;
  externalUserId: string;
  /** Signed with the link, so the integration can trust it when the link is used. */
  resume?: Record<string, string>;
}

const audienceOf = (kind: AccountLinkKind) => `nightshift-${kind.slug}-link`;

/** The dashboard URL that binds `externalUserId` to whoever opens it (signed in, a member of the tenant). */
export async function connectAccountUrl(
  env: Bindings,
  kind: AccountLinkKind,
  claims: AccountLinkClaims,
): Promise<string> {
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setAudience(audienceOf(kind))
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(LINK_TTL)
    .sign(readAuthConfig(env).sessionKey);
  const base = (env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, "");
  return `${base}/settings/${kind.slug}/link?tenant=${encodeURIComponent(claims.tenantId)}&token=${encodeURIComponent(token)}`;
}

/** Binds the user a link names to the caller; the link must be for the caller's tenant and unused. */
export async function completeAccountLink(
  env: Bindings,
  kind: AccountLinkKind,
  actor: Actor,
  token: string,
): Promise<AccountLinkClaims> {
  let claims: z.infer<typeof LinkClaims>;
  try {
    const { payload } = await jwtVerify(token, readAuthConfig(env).sessionKey, {
      algorithms: ["HS256"],
      audience: audienceOf(kind),
    });
    claims = LinkClaims.parse(payload);
  } catch {
    throw new AppError("invalid_request", `this connect link is invalid or expired; ${kind.askAgain}`);
  }
  if (claims.tenantId !== actor.tenantId)
    throw new AppError(
      "forbidden",
      "this connect link is for another Nightshift tenant; switch to it and open the link again",
    );
  const db = openDatabase(env.DB);
  if (!(await kind.isConnected(db, actor.tenantId, claims.account)))
    throw new AppError(
      "not_found",
      `the ${kind.providerName} workspace of this link is no longer connected to this tenant`,
    );
  if (!(await claimDelivery(db, `${kind.slug}-link:${claims.jti}`, `${kind.slug}.link`, Date.now())))
    throw new AppError("conflict", `this connect link was already used; ${kind.askAgain}`);
  const outcome = await kind.bind(db, actor.tenantId, {
    account: claims.account,
    externalUserId: claims.externalUserId,
    userId: actor.userId,
    now: Date.now(),
  });
  if (outcome === "taken")
    throw new AppError(
      "conflict",
      `that ${kind.providerName} account is already connected to another Nightshift member`,
    );
  await recordAudit(db, actor.tenantId, actor, {
    action: `${kind.slug}.user_linked`,
    target: { type: `${kind.slug}_user`, id: `${claims.account}/${claims.externalUserId}` },
  });
  return {
    tenantId: claims.tenantId,
    account: claims.account,
    externalUserId: claims.externalUserId,
    ...(claims.resume ? { resume: claims.resume } : {}),
  };
}

/** The member a workspace user acts as in this tenant, or null when unlinked or no longer a member. */
export async function linkedActor(
  env: Bindings,
  kind: AccountLinkKind,
  tenantId: string,
  account: string,
  externalUserId: string,
): Promise<Actor | null> {
  const db = openDatabase(env.DB);
  const userId = await kind.findLinkedUser(db, tenantId, account, externalUserId);
  if (!userId) return null;
  const [membership, user] = await Promise.all([findMembership(db, tenantId, userId), findUser(db, userId)]);
  if (!membership || !user) return null;
  return { tenantId, userId, role: membership.role, name: user.name, login: user.login, via: "integration" };
}
