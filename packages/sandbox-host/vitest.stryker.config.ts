/**
 * The unit tests Stryker mutates against: src/** and the tests written against its survivors
 * (test/*-mutants.test.ts), without the end-to-end suites under test/ (real bubblewrap sandboxes
 * running the bundled runtime, which take minutes and whose code runs in child processes Stryker
 * cannot instrument). docs/testing.md lists what that leaves out of `mutate`.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/*-mutants.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
