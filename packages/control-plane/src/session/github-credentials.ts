/**
 * The session's side of the token broker: turns "the sandbox wants to push" into a cached,
 * repository-scoped installation token, or a typed failure the Worker renders. Builds the App
 * client lazily from env so sessions without GitHub repositories never read the App key.
 */
import { type ErrorCode, errorStatus, type RepoRef } from "@nightshift/protocol";
import { createGithubApp, type GithubApp } from "../github/app-client";
import { type GithubAppConfig, GithubConfigError } from "../github/app-config";
import { mintRepoToken } from "../github/token-broker";
import { AppError } from "../http/app-error";
import { GithubTokenCache } from "./github-token-cache";
import type { SessionGithubBinding } from "./store";

export type CredentialResult =
  | { ok: true; value: { token: string; expiresAt: number } }
  | { ok: false; code: ErrorCode; status: number; message: string };

/** A refusal whose status comes from protocol's error table, as every error response's does. */
function refuse(code: ErrorCode, message: string): CredentialResult {
  return { ok: false, code, status: errorStatus(code), message };
}

export class GithubCredentials {
  private app: GithubApp | null = null;
  private readonly cache: GithubTokenCache;

  /** `appConfig`: the GitHub App's settings, null when none is configured (throws when malformed). */
  constructor(
    private readonly appConfig: () => GithubAppConfig | null,
    now: () => number,
  ) {
    this.cache = new GithubTokenCache((scope) => mintRepoToken(this.appClient(), scope), now);
  }

  private appClient(): GithubApp {
    if (this.app) return this.app;
    const config = this.appConfig();
    if (!config)
      throw new AppError(
        "upstream_unavailable",
        "GitHub credentials need a GitHub App; configure one (docs/github-app.md) to push to GitHub repositories",
      );
    this.app = createGithubApp(config);
    return this.app;
  }

  /** `binding` is the tenant's installation for the repository: tokens only ever come from it. */
  async issue(repo: RepoRef, binding: SessionGithubBinding | null): Promise<CredentialResult> {
    if (repo.kind !== "github") return refuse("not_found", "local repositories need no credential");
    if (!binding)
      return refuse(
        "forbidden",
        `${repo.owner}/${repo.name} is not connected to this tenant through a GitHub App installation`,
      );
    try {
      const token = await this.cache.get({
        owner: repo.owner,
        name: repo.name,
        installationId: binding.installationId,
        repositoryId: binding.repositoryId,
      });
      return { ok: true, value: { token: token.token, expiresAt: token.expiresAt } };
    } catch (error) {
      if (error instanceof AppError) return refuse(error.code, error.message);
      if (error instanceof GithubConfigError) return refuse("upstream_unavailable", error.message);
      return refuse("internal", "minting a GitHub token failed unexpectedly");
    }
  }
}
