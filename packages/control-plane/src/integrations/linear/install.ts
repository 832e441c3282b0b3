/**
 * Installing the Linear app for a tenant as an OAuth app acting as itself (`actor=app`, with
 * `app:assignable` and `app:mentionable` so it can be delegated issues and mentioned): an admin
 * asks for Linear's authorize URL with a signed state (tenant + user + expiry); Linear sends the
 * browser back with a code that becomes the organization's tokens, sealed with the tenant's
 * envelope. One organization belongs to one tenant. Uninstalling (from Settings, or Linear's
 * OAuth-revoked webhook) forgets the organization.
 */
import { recordAudit } from "../../audit/record";
import { openDatabase } from "../../db/client";
import {
  deleteLinearInstallation,
  findLinearInstallation,
  findTenantLinearInstallation,
  type LinearInstallationRow,
  listTeamRepositories,
  saveLinearInstallation,
} from "../../db/repositories/linear";
import { findMembership } from "../../db/repositories/tenancy";
import type { Actor, Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import { roleAtLeast } from "../../tenancy/permissions";
import { type InstallState, readInstallState, signInstallState } from "../install-state";
import { LinearApiError, type LinearTokens, requestTokens } from "./api-client";
import { linearConfigOrNull, requireLinearOAuth } from "./config";
import { appIdentity } from "./operations";
import { sealTokens } from "./token";

const STATE_AUDIENCE = "nightshift-linear-install";
const STATE_TTL = "15m";
/** Read the issue, write activities and attachments, be delegated issues and be mentioned. */
export const LINEAR_SCOPES = ["read", "write", "app:assignable", "app:mentionable"];

export type LinearInstallState = InstallState;

export interface LinearConnection {
  configured: boolean;
  connected: boolean;
  organization: { id: string; name: string; connectedAt: string } | null;
  teams: { teamId: string; repository: string }[];
}

export async function getLinearConnection(env: Bindings, actor: Actor): Promise<LinearConnection> {
  const db = openDatabase(env.DB);
  const row = await findTenantLinearInstallation(db, actor.tenantId);
  const teams = await listTeamRepositories(db, actor.tenantId);
  return {
    configured: linearConfigOrNull(env) !== null,
    connected: row !== null,
    organization: row
      ? {
          id: row.organizationId,
          name: row.organizationName,
          connectedAt: new Date(row.installedAt).toISOString(),
        }
      : null,
    teams: teams.map((t) => ({ teamId: t.teamId, repository: `${t.owner}/${t.name}` })),
  };
}

export async function startLinearInstall(
  env: Bindings,
  actor: Actor,
  sessionKey: Uint8Array,
  redirectUri: string,
): Promise<{ url: string }> {
  const config = requireLinearOAuth(env);
  const state = await signInstallState(sessionKey, STATE_AUDIENCE, STATE_TTL, actor);
  const url = new URL(`${config.webUrl}/oauth/authorize`);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", LINEAR_SCOPES.join(","));
  url.searchParams.set("actor", "app");
  url.searchParams.set("state", state);
  return { url: url.toString() };
}

/** The tenant and user a state was issued to; null when forged, expired or malformed. */
export function readLinearInstallState(
  sessionKey: Uint8Array,
  state: string,
): Promise<LinearInstallState | null> {
  return readInstallState(sessionKey, STATE_AUDIENCE, state);
}

function upstreamError(error: unknown, what: string): AppError {
  if (error instanceof LinearApiError && error.kind !== "transient")
    return new AppError("invalid_request", `Linear did not accept the install (${what}); start again`);
  return new AppError("upstream_unavailable", "Linear could not be reached to finish the install; try again");
}

/** Finishes an install after Linear's redirect; returns the organization's name. */
export async function completeLinearInstall(
  env: Bindings,
  claims: LinearInstallState,
  code: string,
  redirectUri: string,
): Promise<string> {
  const config = requireLinearOAuth(env);
  const db = openDatabase(env.DB);
  const membership = await findMembership(db, claims.tenantId, claims.userId);
  if (!membership || !roleAtLeast(membership.role, "admin"))
    throw new AppError("forbidden", "only a tenant admin or owner can connect Linear; ask one of them");
  let tokens: LinearTokens;
  let identity: Awaited<ReturnType<typeof appIdentity>>;
  try {
    tokens = await requestTokens(config.apiUrl, config, { code, redirectUri }, Date.now());
  } catch (error) {
    throw upstreamError(error, "the code was refused");
  }
  try {
    identity = await appIdentity({ apiUrl: config.apiUrl, token: tokens.accessToken });
  } catch (error) {
    throw upstreamError(error, "the token could not read its organization");
  }
  const organizationId = identity.organization.id;
  const holder = await findLinearInstallation(db, organizationId);
  if (holder && holder.tenantId !== claims.tenantId) throw takenError(identity.organization.name);
  const sealed = await sealTokens(env, claims.tenantId, organizationId, tokens);
  const row: Omit<LinearInstallationRow, "tenantId"> = {
    organizationId,
    organizationName: identity.organization.name || organizationId,
    appUserId: identity.viewer.id,
    ...sealed,
    installedBy: claims.userId,
    installedAt: Date.now(),
  };
  if ((await saveLinearInstallation(db, claims.tenantId, row)) === "taken")
    throw takenError(row.organizationName);
  await recordAudit(
    db,
    claims.tenantId,
    { userId: claims.userId, name: claims.userId, login: claims.userId, via: "session" },
    {
      action: "linear.connected",
      target: { type: "linear_organization", id: organizationId },
      detail: { name: row.organizationName },
    },
  );
  return row.organizationName;
}

function takenError(name: string): AppError {
  return new AppError(
    "conflict",
    `the Linear workspace ${name} is already connected to another Nightshift tenant; disconnect it there first`,
  );
}

export async function disconnectLinear(env: Bindings, actor: Actor): Promise<void> {
  const db = openDatabase(env.DB);
  const row = await findTenantLinearInstallation(db, actor.tenantId);
  if (!row || !(await deleteLinearInstallation(db, actor.tenantId, row.organizationId)))
    throw new AppError("not_found", "no Linear workspace is connected to this tenant");
  await recordAudit(db, actor.tenantId, actor, {
    action: "linear.disconnected",
    target: { type: "linear_organization", id: row.organizationId },
  });
}
