/**
 * Runs in Node before the workerd pool starts: serves the GitHub OAuth double and the recording
 * sandbox host on loopback and provides their URLs, which vitest.config.ts turns into bindings.
 */
import type { TestProject } from "vitest/node";
import { startDaytonaDouble } from "../../testkit/src/daytona/daytona-double";
import { startGithubDouble } from "../../testkit/src/github/github-double";
import { startGithubOAuthDouble } from "../../testkit/src/github/oauth-server";
import { startLinearDouble } from "../../testkit/src/linear/linear-double";
import { startRecordingSandboxHost } from "../../testkit/src/sandbox-host/recording-sandbox-host";
import { startSlackDouble } from "../../testkit/src/slack/slack-double";
import { GITHUB_APP_FIXTURE } from "./github-app-fixture";
import { GITHUB_USERS, TEST_GITHUB_OAUTH } from "./github-users";
import { LINEAR_APP } from "./linear-fixture";
import { startModelDouble } from "./model-double";

export const TEST_SANDBOX_HOST_SECRET = "test-host-secret";
/** The Daytona double's API key: the session DOs (not the Worker) run Daytona sessions there. */
export const TEST_DAYTONA_API_KEY = "dtn_workerd_tests";

declare module "vitest" {
  interface ProvidedContext {
    githubOAuthUrl: string;
    sandboxHostUrl: string;
    githubAppUrl: string;
    githubAppPrivateKey: string;
    modelUrl: string;
    modelControlUrl: string;
    daytonaUrl: string;
    linearUrl: string;
    slackUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const github = await startGithubOAuthDouble({ ...TEST_GITHUB_OAUTH, users: Object.values(GITHUB_USERS) });
  project.provide("githubOAuthUrl", github.url);
  // Sandboxes cannot run inside workerd: provider calls go to a recording double (ADR 0005).
  const host = await startRecordingSandboxHost(TEST_SANDBOX_HOST_SECRET);
  // The GitHub App side (installations, tokens, git, REST) is a separate double from the OAuth one above.
  const githubApp = await startGithubDouble(GITHUB_APP_FIXTURE);
  project.provide("githubAppUrl", githubApp.url);
  project.provide("githubAppPrivateKey", githubApp.app.privateKeyPem);
  project.provide("sandboxHostUrl", host.url);
  // The model gateway's upstream: the scripted model, steered by tests through its control server.
  const model = await startModelDouble();
  project.provide("modelUrl", model.url);
  project.provide("modelControlUrl", model.controlUrl);
  // Sessions on Daytona (sandbox-snapshots tests): no runtime runs behind it; tests play the sandbox.
  const daytona = await startDaytonaDouble({
    apiKey: TEST_DAYTONA_API_KEY,
    snapshots: ["nightshift-sandbox"],
    runtime: "none",
    delays: { snapshotMs: 50 },
  });
  project.provide("daytonaUrl", daytona.url);
  // Linear's API and OAuth (LINEAR_API_URL and LINEAR_WEB_URL both point here).
  const linear = await startLinearDouble(LINEAR_APP);
  project.provide("linearUrl", linear.url);
  // The Slack Web API (test/slack-fixture.ts seeds its workspaces per test).
  const slack = await startSlackDouble({ clientId: "slack-client-id", clientSecret: "slack-client-secret" });
  project.provide("slackUrl", slack.url);
  return async () => {
    await daytona.close();
    await linear.close();
    await slack.close();
    await github.close();
    await host.close();
    await githubApp.close();
    await model.close();
  };
}
