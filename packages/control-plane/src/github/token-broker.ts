/**
 * Mints the installation token a sandbox pushes with: scoped to the session's one repository and
 * to `contents: write`, nothing else. The installation is looked up from the repository; the
 * repository id, once known, is used for scoping (`repository_ids`), as ids survive renames.
 * Failures become AppErrors that say what to do; tokens never appear in messages.
 */
import { AppError } from "../http/app-error";
import type { GithubApp } from "./app-client";
import { GithubCallError, githubAppError, statusOf } from "./failure";

export interface RepoToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  installationId: number;
  repositoryId: number | null;
}

export interface RepoScope {
  owner: string;
  name: string;
  installationId?: number | undefined;
  repositoryId?: number | null | undefined;
}

/** Exactly what a sandbox may do: write the repository's contents (metadata read is implied). */
export const SANDBOX_TOKEN_PERMISSIONS = { contents: "write" } as const;

async function findInstallation(app: GithubApp, owner: string, name: string): Promise<number> {
  try {
    const res = await app.octokit.request("GET /repos/{owner}/{repo}/installation", { owner, repo: name });
    return res.data.id;
  } catch (error) {
    if (statusOf(error) === 404)
      throw new AppError(
        "not_found",
        `the GitHub App is not installed on ${owner}/${name}; install it and grant this repository`,
      );
    throw githubAppError(
      GithubCallError.from("installation lookup", error),
      `looking up the GitHub App's installation on ${owner}/${name}`,
    );
  }
}

export async function mintRepoToken(app: GithubApp, scope: RepoScope): Promise<RepoToken> {
  const installationId = scope.installationId ?? (await findInstallation(app, scope.owner, scope.name));
  try {
    const auth = (await app.octokit.auth({
      type: "installation",
      installationId,
      ...(scope.repositoryId ? { repositoryIds: [scope.repositoryId] } : { repositoryNames: [scope.name] }),
      permissions: SANDBOX_TOKEN_PERMISSIONS,
      // The session DO is the cache; the library's in-memory one would hand back tokens close to expiry.
      refresh: true,
    })) as { token: string; expiresAt: string; repositoryIds?: number[] };
    return {
      token: auth.token,
      expiresAt: Date.parse(auth.expiresAt),
      installationId,
      repositoryId: auth.repositoryIds?.[0] ?? scope.repositoryId ?? null,
    };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || status === 422)
      throw new AppError(
        "forbidden",
        `the GitHub App installation does not cover ${scope.owner}/${scope.name} with contents: write; grant it in the installation settings`,
      );
    throw githubAppError(
      GithubCallError.from("installation token", error),
      `minting an installation token for ${scope.owner}/${scope.name}`,
    );
  }
}
