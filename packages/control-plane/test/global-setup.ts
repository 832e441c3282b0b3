/**
 * Runs in Node before the workerd pool starts: serves the GitHub OAuth double on loopback and
 * provides its URL, which vitest.config.ts turns into the Worker's GITHUB_WEB_URL binding.
 */
import type { TestProject } from "vitest/node";
import { startGithubOAuthDouble } from "../../testkit/src/github/oauth-server";
import { GITHUB_USERS, TEST_GITHUB_OAUTH } from "./github-users";

declare module "vitest" {
  interface ProvidedContext {
    githubOAuthUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const github = await startGithubOAuthDouble({ ...TEST_GITHUB_OAUTH, users: Object.values(GITHUB_USERS) });
  project.provide("githubOAuthUrl", github.url);
  return () => github.close();
}
