/**
 * The tests Stryker mutates against: the unit tests of the modules in stryker.config.mjs's
 * `mutate`. The rest of src/** and test/** start real git servers, bubblewrap sandboxes, the
 * real Claude Code CLI or the whole runtime as a child process: minutes per run, and code in a
 * child process is invisible to Stryker's coverage (docs/testing.md lists what is left out).
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src/buffer/*.test.ts",
      "src/events/*.test.ts",
      "src/bridge/backoff.test.ts",
      "src/bridge/sandbox-token.test.ts",
      "src/agents/line-splitter.test.ts",
      "src/agents/text-limits.test.ts",
      "src/agents/child-env.test.ts",
      "src/agents/claude-code.test.ts",
      "src/agents/claude-code-records.test.ts",
      "src/agents/model-api-errors.test.ts",
      "src/process/output-streamer.test.ts",
      "src/process/producer-gate.test.ts",
      "src/process/producer-gate-edges.test.ts",
      "src/network/*.test.ts",
      "src/env.test.ts",
      "src/env-handoff.test.ts",
      // Tests written against the survivors of a Stryker run.
      "test/*-mutants.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
