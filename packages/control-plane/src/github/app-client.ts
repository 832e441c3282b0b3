/**
 * Builds the @octokit/app client for the configured App, pointed at the configured REST base
 * (github.com, GHES or the testkit double). The private key stays inside this object: nothing
 * here returns or logs it.
 */
import { App } from "@octokit/app";
import { Octokit } from "@octokit/core";
import type { GithubAppConfig } from "./app-config";

export type GithubApp = App;

export function createGithubApp(config: GithubAppConfig, fetchImpl: typeof fetch = fetch): GithubApp {
  return new App({
    appId: config.appId,
    privateKey: config.privateKey,
    // Workers' fetch must be called unbound from the global, hence the arrow.
    Octokit: Octokit.defaults({
      baseUrl: config.apiUrl,
      request: { fetch: (i: RequestInfo, o?: RequestInit) => fetchImpl(i, o) },
    }),
  });
}

/**
 * An Octokit authenticated as the installation with a token minted for exactly `permissions`
 * (and `repositoryIds`, when given): least privilege per piece of work, never the installation's
 * full grant. The token stays inside the returned client.
 */
export async function installationClient(
  app: GithubApp,
  apiUrl: string,
  scope: { installationId: number; permissions: Record<string, "read" | "write">; repositoryIds?: number[] },
): Promise<Octokit> {
  const auth = (await app.octokit.auth({
    type: "installation",
    installationId: scope.installationId,
    permissions: scope.permissions,
    ...(scope.repositoryIds ? { repositoryIds: scope.repositoryIds } : {}),
    refresh: true,
  })) as { token: string };
  return new Octokit({
    auth: auth.token,
    baseUrl: apiUrl,
    request: { fetch: (i: RequestInfo, o?: RequestInit) => fetch(i, o) },
  });
}
