/** Browser tests: playwright-core drives Debian's Chromium against a real `wrangler dev`. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["test/browser/**/*.browser.test.ts"],
    // Each file starts its own Worker and Chromium; files run one after another (2 shared cores).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
