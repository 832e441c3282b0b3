/** The GitHub App world the GitHub double serves for control-plane tests (shared by globalSetup, the config and tests). */
import type { GithubDoubleOptions } from "../../testkit/src/github/github-double";

export const GITHUB_APP = {
  id: 4242,
  slug: "nightshift-test",
  webhookSecret: "test-github-webhook-secret-0123",
};

export const GITHUB_APP_FIXTURE: GithubDoubleOptions = {
  app: GITHUB_APP,
  users: [
    { id: 583231, login: "octocat" },
    { id: 1_000_002, login: "hubot" },
  ],
  repos: [
    { owner: "acme", name: "widgets", id: 9001, collaborators: { octocat: "write", hubot: "read" } },
    { owner: "acme", name: "gadgets", id: 9002, collaborators: { octocat: "write" } },
    { owner: "acme", name: "uninstalled", id: 9003 },
  ],
  installations: [{ id: 77, account: "acme", repos: ["acme/widgets", "acme/gadgets"] }],
};
