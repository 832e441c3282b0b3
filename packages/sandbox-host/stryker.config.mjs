import { strykerConfig } from "../../scripts/mutants/stryker-base.mjs";

// The modules src/**'s unit tests drive. Left out (see docs/testing.md): the HTTP server and app, the
// sandbox manager and process supervision, the egress proxy and forwarder, hardened git, and the
// entry points; their tests start real bubblewrap sandboxes (test/*.test.ts).
export default strykerConfig({
  vitestConfig: "vitest.stryker.config.ts",
  timeoutMS: 20_000,
  mutate: [
    "src/cli-options.ts",
    "src/config.ts",
    "src/auth/*.ts",
    "src/http/host-error.ts",
    "src/egress/default-allow.ts",
    "src/egress/denial-reporter.ts",
    "src/egress/egress-policy.ts",
    "src/egress/forbidden-addresses.ts",
    "src/egress/resolve-target.ts",
    "src/sandbox/bubblewrap.ts",
    "src/sandbox/repo-catalog.ts",
    "src/sandbox/repo-mirror.ts",
    "src/sandbox/repo-resolver.ts",
    "src/sandbox/run-command.ts",
    "src/sandbox/sandbox-env.ts",
    "src/sandbox/tool-view.ts",
    "!src/**/*.test.ts",
  ],
});
