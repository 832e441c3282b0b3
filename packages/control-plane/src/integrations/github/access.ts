/**
 * Who may start work on a GitHub repository: the repository must be granted to the tenant by a
 * connected installation, and the acting GitHub user must be able to push to it (GitHub's
 * collaborator permission, asked with an installation token and cached for a minute per
 * isolate), whatever the entry point: dashboard, API key or webhook.
 */
import { openDatabase } from "../../db/client";
import { findTenantRepository, type GithubRepositoryRow } from "../../db/repositories/github";
import { findUser } from "../../db/repositories/users";
import type { Actor, Bindings } from "../../env";
import { createGithubApp, type GithubApp } from "../../github/app-client";
import type { GithubAppConfig } from "../../github/app-config";
import { githubAppError } from "../../github/failure";
import { RepoApi } from "../../github/repo-api";
import { AppError } from "../../http/app-error";
import type { SessionGithubBinding } from "../../session/store";
import { requireGithubApp } from "./connection";

const TTL_MS = 60_000;
const MAX_ENTRIES = 2_000;
const decisions = new Map<string, { canWrite: boolean; until: number }>();

let cachedApp: { config: GithubAppConfig; app: GithubApp } | null = null;

/** One App client per isolate and configuration. */
export function githubAppFor(env: Bindings): { config: GithubAppConfig; app: GithubApp } {
  const config = requireGithubApp(env);
  if (cachedApp?.config.appId !== config.appId || cachedApp.config.apiUrl !== config.apiUrl)
    cachedApp = { config, app: createGithubApp(config) };
  return cachedApp;
}

export function repoApiFor(env: Bindings, row: GithubRepositoryRow): RepoApi {
  const { app, config } = githubAppFor(env);
  return new RepoApi(app, config, {
    installationId: row.installationId,
    repositoryId: row.id,
    owner: row.owner,
    name: row.name,
  });
}

export async function requireConnectedRepository(
  env: Bindings,
  tenantId: string,
  repo: { owner: string; name: string },
): Promise<GithubRepositoryRow> {
  const row = await findTenantRepository(openDatabase(env.DB), tenantId, repo.owner, repo.name);
  if (!row)
    throw new AppError(
      "not_found",
      `${repo.owner}/${repo.name} is not connected to this tenant; install the GitHub App on it and connect the installation in Settings → GitHub`,
    );
  return row;
}

/** Whether `login` can push to the repository, from GitHub or the one-minute cache. */
export async function canWrite(
  env: Bindings,
  tenantId: string,
  row: GithubRepositoryRow,
  login: string,
  now = Date.now(),
): Promise<boolean> {
  const key = `${tenantId}|${row.id}|${login.toLowerCase()}`;
  const hit = decisions.get(key);
  if (hit && hit.until > now) return hit.canWrite;
  let allowed: boolean;
  try {
    allowed = await repoApiFor(env, row).canWrite(login);
  } catch (error) {
    throw githubAppError(error, `checking ${login}'s access to ${row.owner}/${row.name}`);
  }
  if (decisions.size >= MAX_ENTRIES) decisions.clear();
  decisions.set(key, { canWrite: allowed, until: now + TTL_MS });
  return allowed;
}

/**
 * The rule for dashboard and API callers: the repository is connected to the tenant, the caller
 * has a GitHub identity, and GitHub says they can push. Returns the session's GitHub binding.
 */
export async function requireWriteAccess(
  env: Bindings,
  actor: Actor,
  repo: { owner: string; name: string },
): Promise<SessionGithubBinding> {
  const row = await requireConnectedRepository(env, actor.tenantId, repo);
  const user = await findUser(openDatabase(env.DB), actor.userId);
  if (!user?.githubId)
    throw new AppError(
      "forbidden",
      "work on GitHub repositories needs a GitHub identity; sign in with GitHub (API keys act as the member who created them)",
    );
  if (!(await canWrite(env, actor.tenantId, row, user.login)))
    throw new AppError(
      "forbidden",
      `@${user.login} cannot push to ${row.owner}/${row.name}; ask a repository admin for write access`,
    );
  return { installationId: row.installationId, repositoryId: row.id, issue: null, requestedBy: user.login };
}
