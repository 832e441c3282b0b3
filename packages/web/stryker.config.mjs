import { strykerConfig } from "../../scripts/mutants/stryker-base.mjs";

// The dashboard's logic: the event timeline, the reconnecting stream, the HTTP client and API
// modules, filters and formatting. Components (*.tsx) are left out: their mutants are mostly
// markup and copy, which the component tests check by role and name, not character by character.
// The dry run executes every web test once (component tests included, for per-test coverage): on a
// busy shared machine that took over Stryker's default 5 minutes, so it may take up to 20.
export default {
  ...strykerConfig({
    timeoutMS: 15_000,
    mutate: [
      "src/timeline/timeline.ts",
      "src/stream/session-stream.ts",
      "src/api/*.ts",
      "src/sessions/session-filter.ts",
      "src/ui/*.ts",
      "src/settings/*-api.ts",
      "src/new-session/repos-api.ts",
      "src/auth/auth-api.ts",
      "!src/**/*.test.ts",
    ],
  }),
  dryRunTimeoutMinutes: 20,
};
