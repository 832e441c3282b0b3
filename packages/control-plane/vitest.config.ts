import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { startRecordingSandboxHost } from "../testkit/src/sandbox-host/recording-sandbox-host";

const TEST_SANDBOX_TOKEN_SECRET = "test-sandbox-token-secret-0123456789abcdef";
const TEST_HOST_SECRET = "test-host-secret";

export default defineConfig(async () => {
  // Sandboxes cannot run inside workerd: provider calls go to a recording double over loopback.
  const host = await startRecordingSandboxHost(TEST_HOST_SECRET);
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "../../wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations("../../migrations"),
            MAX_BODY_BYTES: "65536",
            SANDBOX_TOKEN_SECRET: TEST_SANDBOX_TOKEN_SECRET,
            SANDBOX_HOST_URL: host.url,
            SANDBOX_HOST_SECRET: TEST_HOST_SECRET,
          },
        },
      }),
    ],
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
      testTimeout: 20_000,
    },
  };
});
