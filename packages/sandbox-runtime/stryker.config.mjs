import { strykerConfig } from "../../scripts/mutants/stryker-base.mjs";

// The runtime's logic with fast unit tests: the event buffer, masking and fitting of events, line
// splitting and text limits, the Claude Code record parser, the child environment, backoff and
// token handling, the output streamer, the sandbox network settings, and env parsing. Not the
// producer gate: a mutant that computes a wrong process group SIGSTOPs Stryker's own group, and the
// kernel then ends that orphaned group with SIGHUP (docs/testing.md); its tests still run here.
// Left out too (docs/testing.md): the bridge client, session controller, turn runner and workspace,
// which need live sockets, git servers, bubblewrap or the real CLI.
export default strykerConfig({
  vitestConfig: "vitest.stryker.config.ts",
  timeoutMS: 20_000,
  mutate: [
    "src/buffer/event-buffer.ts",
    "src/events/*.ts",
    "src/bridge/backoff.ts",
    "src/bridge/sandbox-token.ts",
    "src/agents/line-splitter.ts",
    "src/agents/text-limits.ts",
    "src/agents/child-env.ts",
    "src/agents/claude-code-records.ts",
    "src/agents/model-api-errors.ts",
    "src/process/output-streamer.ts",
    "src/network/sandbox-network.ts",
    "src/env.ts",
    "!src/**/*.test.ts",
  ],
});
