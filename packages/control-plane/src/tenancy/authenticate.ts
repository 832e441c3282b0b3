/**
 * Authentication for /api/v1: an API key (`Authorization: Bearer nsk_...`) or the session cookie.
 * Missing, malformed, forged, expired or revoked credentials are all 401. Cookie-authenticated
 * writes must also pass the Origin check (CSRF); API keys are not ambient, so they need not.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { openDatabase } from "../db/client";
import { findApiKeyByHash, touchApiKey } from "../db/repositories/api-keys";
import { findLiveAuthSession } from "../db/repositories/users";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { hashApiKey, looksLikeApiKey } from "./api-key-format";
import { readAuthConfig } from "./auth-config";
import { lowerRole } from "./permissions";
import { type Principal, summarize } from "./principal";
import { assertSameOrigin, isStateChanging } from "./request-origin";
import {
  clearSessionCookie,
  readSessionCookie,
  SESSION_REFRESH_AFTER_S,
  signSessionToken,
  verifySessionToken,
  writeSessionCookie,
} from "./session-cookie";

const LAST_USED_GRANULARITY_MS = 60_000;

function unauthorized(message: string): AppError {
  return new AppError("unauthorized", message);
}

async function fromApiKey(c: Context<AppEnv>, header: string): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1];
  if (!token || !looksLikeApiKey(token)) {
    throw unauthorized("send an API key as 'Authorization: Bearer nsk_...', or sign in");
  }
  const db = openDatabase(c.env.DB);
  const found = await findApiKeyByHash(db, await hashApiKey(token));
  const now = new Date();
  if (!found) throw unauthorized("this API key is not valid; create a new one in the tenant's settings");
  const { key, user, creatorRole } = found;
  if (key.revokedAt) throw unauthorized("this API key was revoked; create a new one");
  if (key.expiresAt && key.expiresAt <= now.toISOString())
    throw unauthorized("this API key has expired; create a new one");
  if (!creatorRole)
    throw unauthorized("this API key's creator has left the tenant, so the key no longer works");
  // A scoped key (automations:trigger) starts automations at /webhooks/in/:id and does nothing else.
  if (key.scope)
    throw unauthorized(
      `this API key is scoped to ${key.scope}; it works only at POST /webhooks/in/<automation id>`,
    );
  const staleBefore = new Date(now.getTime() - LAST_USED_GRANULARITY_MS).toISOString();
  if (!key.lastUsedAt || key.lastUsedAt < staleBefore) {
    await touchApiKey(db, key.tenantId, key.id, now.toISOString(), staleBefore);
  }
  return {
    kind: "api_key",
    user: summarize(user),
    key: { id: key.id, tenantId: key.tenantId, role: lowerRole(key.role, creatorRole), name: key.name },
  };
}

async function fromSessionCookie(c: Context<AppEnv>, token: string): Promise<Principal> {
  const config = readAuthConfig(c.env);
  const nowS = Math.floor(Date.now() / 1000);
  const claims = await verifySessionToken(config.sessionKey, token, nowS);
  const live = claims
    ? await findLiveAuthSession(openDatabase(c.env.DB), claims.sid, new Date().toISOString())
    : null;
  if (!claims || !live || live.user.id !== claims.sub) {
    clearSessionCookie(c);
    throw unauthorized("your session has expired or is not valid; sign in again");
  }
  if (isStateChanging(c.req.raw)) assertSameOrigin(c, config);
  if (nowS - claims.iat >= SESSION_REFRESH_AFTER_S) {
    const signInEnds = Math.floor(Date.parse(live.session.expiresAt) / 1000);
    const fresh = await signSessionToken(config.sessionKey, { userId: claims.sub, sid: claims.sid }, nowS);
    const expiresAt = Math.min(fresh.expiresAt, signInEnds);
    writeSessionCookie(c, fresh.token, expiresAt, nowS);
  }
  return { kind: "session", user: summarize(live.user), sid: claims.sid };
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const cookie = header === undefined ? readSessionCookie(c) : undefined;
  if (header !== undefined) c.set("principal", await fromApiKey(c, header));
  else if (cookie) c.set("principal", await fromSessionCookie(c, cookie));
  else throw unauthorized("sign in, or send an API key as 'Authorization: Bearer nsk_...'");
  await next();
});
