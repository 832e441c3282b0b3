/**
 * Connecting GitHub App installations to tenants. An owner asks for an install URL carrying a
 * signed state (tenant + user); GitHub sends the browser back to the Setup URL with the
 * installation id; the control plane then proves, with the user's own GitHub token, that this
 * user can access that installation before linking it, since the id in the redirect is
 * attacker-controlled. One installation belongs to one tenant.
 */
import type { ConnectGithubResponse, GithubConnectionResponse } from "@nightshift/protocol";
import { recordAudit } from "../../audit/record";
import { openDatabase } from "../../db/client";
import {
  linkInstallation,
  listInstallations,
  replaceRepositories,
  unlinkInstallation,
} from "../../db/repositories/github";
import { findMembership } from "../../db/repositories/tenancy";
import { findUser } from "../../db/repositories/users";
import type { Actor, Bindings } from "../../env";
import { createGithubApp } from "../../github/app-client";
import { type GithubAppConfig, githubAppConfigOrNull } from "../../github/app-config";
import { githubAppError } from "../../github/failure";
import {
  installationAccount,
  installationRepositories,
  userCanAccessInstallation,
  userIdentity,
} from "../../github/installations";
import { AppError } from "../../http/app-error";
import { requireSessionsStopped } from "../../services/session-revocation";
import type { AuthConfig } from "../../tenancy/auth-config";
import { exchangeCode } from "../../tenancy/github-oauth";
import {
  type InstallState,
  readInstallState as readSignedInstallState,
  signInstallState,
} from "../install-state";

const INSTALL_AUDIENCE = "nightshift-github-install";
const INSTALL_STATE_TTL = "1h";

export type InstallClaims = InstallState;

/** The App settings, or a 404 that says how to configure them. */
export function requireGithubApp(env: Bindings): GithubAppConfig {
  const config = githubAppConfigOrNull(env);
  if (!config) throw new AppError("not_found", "no GitHub App is configured here; see docs/github-app.md");
  return config;
}

export type AppOAuthClient = NonNullable<AuthConfig["github"]>;

/** The App and its OAuth client (connecting needs both), or a 503 naming the missing settings. */
export function requireAppOAuth(env: Bindings): { config: GithubAppConfig; oauth: AppOAuthClient } {
  const config = requireGithubApp(env);
  if (!config.oauth)
    throw new AppError(
      "upstream_unavailable",
      "connecting GitHub needs the App's OAuth client (GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET); see docs/github-app.md",
    );
  return { config, oauth: { ...config.oauth, webUrl: config.webUrl, apiUrl: config.apiUrl } };
}

export async function getGithubConnection(env: Bindings, actor: Actor): Promise<GithubConnectionResponse> {
  const config = githubAppConfigOrNull(env);
  const installs = await listInstallations(openDatabase(env.DB), actor.tenantId);
  return {
    configured: config !== null,
    appSlug: config?.slug ?? null,
    triggerLabel: config?.triggerLabel ?? null,
    appUrl: config ? `${config.webUrl}/apps/${config.slug}` : null,
    installations: installs.map((i) => ({
      id: i.id,
      account: i.accountLogin,
      connectedAt: new Date(i.createdAt).toISOString(),
      repositories: i.repositories.map((r) => ({ id: r.id, owner: r.owner, name: r.name })),
    })),
  };
}

export async function startGithubConnect(
  env: Bindings,
  actor: Actor,
  sessionKey: Uint8Array,
): Promise<ConnectGithubResponse> {
  const { config } = requireAppOAuth(env);
  const state = await signInstallState(sessionKey, INSTALL_AUDIENCE, INSTALL_STATE_TTL, actor);
  const url = new URL(`${config.webUrl}/apps/${encodeURIComponent(config.slug)}/installations/new`);
  url.searchParams.set("state", state);
  return { url: url.toString() };
}

/** The tenant and user an install state was issued to; null when forged, expired or malformed. */
export function readInstallState(sessionKey: Uint8Array, state: string): Promise<InstallClaims | null> {
  return readSignedInstallState(sessionKey, INSTALL_AUDIENCE, state);
}

export interface LinkRequest {
  tenantId: string;
  userId: string;
  installationId: number;
  code: string;
  redirectUri: string;
  verifier: string;
}

/** Finishes a connection after the OAuth bounce; returns the linked account's login. */
export async function completeInstallationLink(env: Bindings, req: LinkRequest): Promise<string> {
  const { config, oauth } = requireAppOAuth(env);
  const db = openDatabase(env.DB);
  const membership = await findMembership(db, req.tenantId, req.userId);
  if (membership?.role !== "owner")
    throw new AppError("forbidden", "only a tenant owner can connect GitHub; ask an owner");
  const { token: userToken } = await exchangeCode(oauth, req);
  const user = await findUser(db, req.userId);
  let account: string;
  try {
    // The GitHub account that just authorized must be the Nightshift user who started connecting
    // (dev users, local mode only, have no GitHub identity to compare).
    if (user?.githubId && (await userIdentity(config.apiUrl, userToken)).id !== user.githubId)
      throw new AppError(
        "forbidden",
        "the GitHub account you authorized is not the one you signed in to Nightshift with; sign in with that account and start again",
      );
    if (!(await userCanAccessInstallation(config.apiUrl, userToken, req.installationId)))
      throw new AppError(
        "forbidden",
        `your GitHub account cannot access installation ${req.installationId}; install the App from your own account or organization`,
      );
    const app = createGithubApp(config);
    const info = await installationAccount(app, req.installationId);
    account = info.login;
    const outcome = await linkInstallation(db, req.tenantId, {
      id: req.installationId,
      accountLogin: account,
      linkedBy: req.userId,
      now: Date.now(),
    });
    if (outcome === "taken")
      throw new AppError(
        "conflict",
        `the installation on ${account} is already connected to another tenant; disconnect it there first`,
      );
    const repos = await installationRepositories(app, config.apiUrl, req.installationId);
    await replaceRepositories(db, req.tenantId, req.installationId, repos);
  } catch (error) {
    throw githubAppError(error, "connecting the installation");
  }
  await recordAudit(
    db,
    req.tenantId,
    { userId: req.userId, name: user?.name ?? req.userId, login: user?.login ?? req.userId, via: "session" },
    {
      action: "github.connected",
      target: { type: "github_installation", id: String(req.installationId) },
      detail: { account },
    },
  );
  return account;
}

export async function disconnectInstallation(
  env: Bindings,
  actor: Actor,
  installationId: number,
): Promise<void> {
  const db = openDatabase(env.DB);
  if (!(await unlinkInstallation(db, actor.tenantId, installationId)))
    throw new AppError("not_found", `installation ${installationId} is not connected to this tenant`);
  await recordAudit(db, actor.tenantId, actor, {
    action: "github.disconnected",
    target: { type: "github_installation", id: String(installationId) },
  });
  // Sessions on its repositories lose their sandboxes and tokens with it.
  await requireSessionsStopped(env, actor.tenantId, { kind: "installation", installationId });
}
