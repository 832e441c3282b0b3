import { strykerConfig } from "../../scripts/mutants/stryker-base.mjs";

// Every module with logic or a schema a runtime relies on; index.ts and version.ts only re-export or name.
export default strykerConfig({
  mutate: ["src/**/*.ts", "!src/**/*.test.ts", "!src/index.ts", "!src/version.ts"],
});
