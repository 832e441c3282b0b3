/** Browser tests: playwright-core drives Debian's Chromium against a real `wrangler dev`. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["test/browser/**/*.browser.test.ts"],
    // Each file starts its own Worker and Chromium; files run one after another (2 shared cores).
    fileParallelism: false,
    testTimeout: 90_000,
    // Pages settle over sockets and timers: poll for conditions for up to 15 s, not vitest's 1 s.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    hookTimeout: 120_000,
  },
});
