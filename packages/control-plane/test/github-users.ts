/** The GitHub OAuth app and users the OAuth double knows (shared by globalSetup, the config and tests). */
import type { GithubUserFixture } from "../../testkit/src/github/oauth-server";

export const TEST_GITHUB_OAUTH = {
  clientId: "Iv1.nightshift-test",
  clientSecret: "test-github-client-secret",
};

export const GITHUB_USERS = {
  octocat: { id: 583231, login: "octocat", name: "The Octocat", email: "octocat@github.example" },
  /** Keeps their address private: sign-in must ask /user/emails. */
  hubot: {
    id: 1_000_002,
    login: "hubot",
    name: null,
    email: null,
    emails: [
      { email: "old@hubot.example", primary: false, verified: true },
      { email: "hubot@hubot.example", primary: true, verified: true },
    ],
  },
} satisfies Record<string, GithubUserFixture>;
