import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { GITHUB_APP } from "./test/github-app-fixture";
import { TEST_GITHUB_OAUTH } from "./test/github-users";
import { TEST_DAYTONA_API_KEY, TEST_SANDBOX_HOST_SECRET } from "./test/global-setup";
import { LINEAR_APP } from "./test/linear-fixture";

const TEST_SANDBOX_TOKEN_SECRET = "test-sandbox-token-secret-0123456789abcdef";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("../../migrations");
  return {
    plugins: [
      // A function, so bindings can use what globalSetup provided (the GitHub OAuth double's URL).
      cloudflareTest(({ inject }) => {
        const githubUrl = inject<string>("githubOAuthUrl");
        const sandboxHostUrl = inject<string>("sandboxHostUrl");
        const githubAppUrl = inject<string>("githubAppUrl");
        return {
          // The production Worker plus the test-only SessionAgent subclass (test/support/test-worker.ts).
          main: "./test/support/test-worker.ts",
          wrangler: { configPath: "../../wrangler.toml" },
          miniflare: {
            // Overrides wrangler.toml's binding: tests talk to TestSessionAgent (test-only RPCs on top).
            durableObjects: { SESSION_AGENT: { className: "TestSessionAgent", useSQLite: true } },
            bindings: {
              TEST_MIGRATIONS: migrations,
              MAX_BODY_BYTES: "65536",
              SANDBOX_TOKEN_SECRET: TEST_SANDBOX_TOKEN_SECRET,
              SANDBOX_HOST_URL: sandboxHostUrl,
              SANDBOX_HOST_SECRET: TEST_SANDBOX_HOST_SECRET,
              // Tenancy and security (test-only values).
              SESSION_SECRET: "test-session-secret-0123456789abcdef0123",
              SECRETS_MASTER_KEYS: "test-k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
              NIGHTSHIFT_DEV_LOGIN: "1",
              GITHUB_OAUTH_CLIENT_ID: TEST_GITHUB_OAUTH.clientId,
              GITHUB_OAUTH_CLIENT_SECRET: TEST_GITHUB_OAUTH.clientSecret,
              GITHUB_WEB_URL: githubUrl,
              GITHUB_API_URL: `${githubUrl}/api/v3`,
              // The GitHub App, against the testkit GitHub double (PKCS#1 key, as GitHub hands it out).
              GITHUB_APP_ID: String(GITHUB_APP.id),
              GITHUB_APP_SLUG: GITHUB_APP.slug,
              GITHUB_APP_PRIVATE_KEY: inject<string>("githubAppPrivateKey"),
              GITHUB_WEBHOOK_SECRET: GITHUB_APP.webhookSecret,
              GITHUB_APP_WEB_URL: githubAppUrl,
              GITHUB_APP_API_URL: `${githubAppUrl}/api/v3`,
              // Generous, so suites that create many sessions never trip them; limits are tested with their own env.
              RATE_LIMIT_SESSION_CREATE: "6000,1000",
              RATE_LIMIT_SESSION_CREATE_PER_KEY: "6000,1000",
              RATE_LIMIT_PROMPTS: "6000,1000",
              RATE_LIMIT_DEVICE_CODES: "6000,1000",
              // Suites start many sessions that never end; capacity tests pass small limits and their own pool.
              SANDBOX_SLOT_LIMIT: "10000",
              SANDBOX_SLOT_LIMIT_PER_TENANT: "10000",
              // The model gateway forwards to the scripted model with the deployment's (test) key.
              ANTHROPIC_BASE_URL: inject<string>("modelUrl"),
              OPENAI_BASE_URL: `${inject<string>("modelUrl")}/v1`,
              GEMINI_BASE_URL: inject<string>("modelUrl"),
              ANTHROPIC_API_KEY: "test-deployment-anthropic-key",
              OPENAI_API_KEY: "test-deployment-openai-key",
              GEMINI_API_KEY: "test-deployment-gemini-key",
              MODEL_DOUBLE_CONTROL_URL: inject<string>("modelControlUrl"),
              // Subscription tokens are opt-in per deployment; the suites exercise them (and "off" by env override).
              ALLOW_SUBSCRIPTION_TOKENS: "1",
              // Daytona for the session DOs only (TestSessionAgent): the Worker's own env keeps
              // offering just the local host, so its provider choices are unchanged.
              TEST_DAYTONA_API_URL: inject<string>("daytonaUrl"),
              TEST_DAYTONA_API_KEY,
              // The Linear app, against the testkit Linear double.
              LINEAR_CLIENT_ID: LINEAR_APP.clientId,
              LINEAR_CLIENT_SECRET: LINEAR_APP.clientSecret,
              LINEAR_WEBHOOK_SECRET: LINEAR_APP.webhookSecret,
              LINEAR_API_URL: inject<string>("linearUrl"),
              LINEAR_WEB_URL: inject<string>("linearUrl"),
              // The Slack app, against the testkit Slack double (test/slack-fixture.ts).
              SLACK_CLIENT_ID: "slack-client-id",
              SLACK_CLIENT_SECRET: "slack-client-secret",
              SLACK_SIGNING_SECRET: "test-slack-signing-secret",
              SLACK_SIGNING_SECRET_PREVIOUS: "test-slack-signing-secret-previous",
              SLACK_API_URL: `${inject<string>("slackUrl")}/api`,
              SLACK_WEB_URL: inject<string>("slackUrl"),
            },
          },
        };
      }),
    ],
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      globalSetup: ["./test/global-setup.ts"],
      // One workerd for every file instead of one per file: starting a runtime and loading the
      // Worker's modules into it took ~3 s a file, more than half the suite. D1 is emptied before
      // each file (test/fresh-database.ts); Durable Objects are addressed by random ids, so the
      // files stay independent.
      isolate: false,
      setupFiles: ["./test/fresh-database.ts"],
      testTimeout: 20_000,
    },
  };
});
