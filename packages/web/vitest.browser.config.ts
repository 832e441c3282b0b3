/** Browser tests: playwright-core drives Debian's Chromium against a real `wrangler dev`. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["test/browser/**/*.browser.test.ts"],
    // One Worker and one Chromium for the whole suite; files run one after another (2 shared cores).
    fileParallelism: false,
    globalSetup: ["./test/browser/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
