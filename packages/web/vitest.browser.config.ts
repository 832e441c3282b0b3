/** Browser tests: playwright-core drives Debian's Chromium against a real `wrangler dev`. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["test/browser/**/*.browser.test.ts"],
    // Each file starts its own Worker and Chromium, on its own ports and state: two files at a time
    // (make test reaches this suite last, with a core to spare once the CLI's suite is done).
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 90_000,
    // Pages settle over sockets and timers: poll for conditions for up to 15 s, not vitest's 1 s.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    hookTimeout: 120_000,
  },
});
