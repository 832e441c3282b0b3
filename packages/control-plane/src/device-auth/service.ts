/**
 * The device sign-in's use cases: start (the CLI), poll (the CLI), and look up / approve / deny
 * (a signed-in user in the dashboard). RFC 8628 semantics: `authorization_pending` until a
 * decision, `slow_down` (interval + 5 s) for polling faster than the interval, `access_denied`
 * once denied, `expired_token` once expired or used. The API key is minted by the one poll that
 * consumes the approval, so its secret exists only in that answer.
 */
import {
  type ApproveDeviceRequest,
  DEVICE_CODE_TTL_SECONDS,
  DEVICE_POLL_INTERVAL_SECONDS,
  type DeviceAuthorization,
  type DeviceDecision,
  type DeviceTokenResponse,
  formatUserCode,
  type PendingDeviceAuthorization,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import { insertApiKey } from "../db/repositories/api-keys";
import * as rows from "../db/repositories/device-auth";
import { findMembership } from "../db/repositories/tenancy";
import { findUser } from "../db/repositories/users";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { enforceRateLimit } from "../rate-limit/limiter";
import { generateApiKey } from "../tenancy/api-key-format";
import { lowerRole, roleAtLeast } from "../tenancy/permissions";
import { hashDeviceCode, hashRequester, hashUserCode, newDeviceCode, newUserCode } from "./codes";

/** Sign-ins one address may start per window: enough for retries, not for spraying codes. */
export const STARTS_PER_WINDOW = 10;
const START_WINDOW_MS = 10 * 60_000;
const SLOW_DOWN_STEP_S = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Expired rows are kept this long (so a late poll still hears `expired_token`), then dropped. */
const EXPIRED_GRACE_MS = 60 * 60_000;

export interface StartInput {
  clientName: string | undefined;
  /** The caller's address (hashed before it is stored), for the per-address start limit. */
  requester: string;
  /** The dashboard's origin, where the verification page lives. */
  siteOrigin: string;
}

export async function startDeviceAuthorization(
  env: Bindings,
  input: StartInput,
  now: Date = new Date(),
): Promise<DeviceAuthorization> {
  const db = openDatabase(env.DB);
  const requesterHash = await hashRequester(input.requester);
  const since = new Date(now.getTime() - START_WINDOW_MS).toISOString();
  if ((await rows.countStartedSince(db, requesterHash, since)) >= STARTS_PER_WINDOW) {
    throw new AppError(
      "rate_limited",
      `too many sign-ins started from this address: at most ${STARTS_PER_WINDOW} in 10 minutes; try again later`,
      undefined,
      { "retry-after": "60" },
    );
  }
  await rows.deleteExpiredBefore(db, new Date(now.getTime() - EXPIRED_GRACE_MS).toISOString());
  const deviceCode = newDeviceCode();
  const userCode = newUserCode();
  await rows.insertDeviceAuthorization(db, {
    id: ulid(now.getTime()).toLowerCase(),
    deviceCodeHash: await hashDeviceCode(deviceCode),
    userCodeHash: await hashUserCode(userCode),
    clientName: input.clientName ?? "nightshift CLI",
    requesterHash,
    intervalSeconds: DEVICE_POLL_INTERVAL_SECONDS,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + DEVICE_CODE_TTL_SECONDS * 1000).toISOString(),
  });
  const shown = formatUserCode(userCode);
  const verificationUri = `${input.siteOrigin}/device`;
  return {
    device_code: deviceCode,
    user_code: shown,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?code=${shown}`,
    expires_in: DEVICE_CODE_TTL_SECONDS,
    interval: DEVICE_POLL_INTERVAL_SECONDS,
  };
}

function expired(): AppError {
  return new AppError(
    "expired_token",
    "this sign-in expired, was already used or is unknown; run `nightshift login` again",
  );
}

export async function pollDeviceToken(
  env: Bindings,
  deviceCode: string,
  now: Date = new Date(),
): Promise<DeviceTokenResponse> {
  const db = openDatabase(env.DB);
  const row = await rows.findByDeviceCodeHash(db, await hashDeviceCode(deviceCode));
  if (!row || row.status === "consumed" || row.expiresAt <= now.toISOString()) throw expired();
  const at = now.getTime();
  if (row.lastPolledAt !== null && at - row.lastPolledAt < row.intervalSeconds * 1000) {
    const interval = row.intervalSeconds + SLOW_DOWN_STEP_S;
    await rows.recordPoll(db, row.id, at, interval);
    throw new AppError("slow_down", `polling too fast: wait ${interval} s between polls`, undefined, {
      "retry-after": String(interval),
    });
  }
  await rows.recordPoll(db, row.id, at, row.intervalSeconds);
  if (row.status === "pending") {
    throw new AppError("authorization_pending", "waiting for the sign-in to be approved in the browser");
  }
  if (row.status === "denied") throw new AppError("access_denied", "the sign-in was denied in the browser");
  return mintApprovedKey(env, row, now);
}

async function mintApprovedKey(
  env: Bindings,
  row: rows.DeviceAuthRow,
  now: Date,
): Promise<DeviceTokenResponse> {
  const db = openDatabase(env.DB);
  const { tenantId, userId, role } = row;
  if (!tenantId || !userId || !role) throw expired();
  // Exactly one poll gets past this line: a replayed device code finds the row consumed.
  if (!(await rows.consumeApproved(db, row.id))) throw expired();
  const [membership, user] = await Promise.all([findMembership(db, tenantId, userId), findUser(db, userId)]);
  if (!membership || !user) {
    throw new AppError("access_denied", "the person who approved this sign-in is no longer in that tenant");
  }
  const keyRole = lowerRole(role, membership.role);
  const material = await generateApiKey();
  const name = `nightshift login: ${row.clientName}`.slice(0, 100);
  const inserted = await insertApiKey(db, tenantId, {
    id: ulid(now.getTime()).toLowerCase(),
    userId,
    name,
    prefix: material.prefix,
    hash: material.hash,
    role: keyRole,
    scope: null,
    createdAt: now.toISOString(),
    expiresAt: row.keyExpiresInDays
      ? new Date(now.getTime() + row.keyExpiresInDays * DAY_MS).toISOString()
      : null,
  });
  await recordAudit(
    db,
    tenantId,
    { userId, name: user.name, login: user.login, via: "session" },
    {
      action: "api_key.created",
      target: { type: "api_key", id: inserted.id },
      detail: { name, prefix: inserted.prefix, role: keyRole, via: "device_login" },
    },
  );
  return {
    key: material.key,
    tenantId,
    apiKey: {
      id: inserted.id,
      name: inserted.name,
      prefix: inserted.prefix,
      role: inserted.role,
      createdBy: inserted.userId,
      createdAt: inserted.createdAt,
      lastUsedAt: inserted.lastUsedAt,
      expiresAt: inserted.expiresAt,
      revokedAt: inserted.revokedAt,
    },
  };
}

/** Code entry is where guessing would happen: limited per user. */
async function pendingFor(
  env: Bindings,
  actor: Actor,
  userCode: string,
  now: Date,
): Promise<rows.DeviceAuthRow> {
  await enforceRateLimit(env, actor.tenantId, { name: "deviceCodeEntry", bucket: `user:${actor.userId}` });
  const row = await rows.findByUserCodeHash(openDatabase(env.DB), await hashUserCode(userCode));
  if (row?.status !== "pending" || row.expiresAt <= now.toISOString()) {
    throw new AppError(
      "not_found",
      `no sign-in is waiting for code ${formatUserCode(userCode)}; check the code in your terminal, or run \`nightshift login\` again`,
    );
  }
  if (actor.via !== "session") {
    // A leaked API key must not be able to approve (and so mint) more keys.
    throw new AppError("forbidden", "approve a sign-in from the dashboard, signed in; API keys cannot");
  }
  return row;
}

export async function lookupDeviceAuthorization(
  env: Bindings,
  actor: Actor,
  userCode: string,
  now: Date = new Date(),
): Promise<PendingDeviceAuthorization> {
  const row = await pendingFor(env, actor, userCode, now);
  return {
    userCode: formatUserCode(userCode),
    clientName: row.clientName,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

export async function decideDeviceAuthorization(
  env: Bindings,
  actor: Actor,
  userCode: string,
  decision: { approve: true; request: ApproveDeviceRequest } | { approve: false },
  now: Date = new Date(),
): Promise<DeviceDecision> {
  const row = await pendingFor(env, actor, userCode, now);
  let role = null;
  if (decision.approve) {
    role = decision.request.role ?? actor.role;
    if (!roleAtLeast(actor.role, role)) {
      throw new AppError("forbidden", `a key's role cannot be above your own (${actor.role})`);
    }
  }
  const decided = await rows.decide(openDatabase(env.DB), row.id, {
    status: decision.approve ? "approved" : "denied",
    tenantId: actor.tenantId,
    userId: actor.userId,
    role,
    keyExpiresInDays: decision.approve ? decision.request.expiresInDays : null,
    decidedAt: now.toISOString(),
  });
  if (!decided) throw new AppError("conflict", "this sign-in was already approved, denied or has expired");
  return { status: decision.approve ? "approved" : "denied", tenantId: actor.tenantId, role };
}
