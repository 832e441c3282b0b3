/**
 * Settings every package's stryker.config.mjs shares. The machine is small and shared, so Stryker runs one
 * test process at a time, only the tests that cover a mutant (perTest), and keeps its reports and sandboxes
 * under reports/ and .stryker-tmp/ (both git-ignored).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * @param {{ mutate: string[]; vitestConfig?: string; timeoutMS?: number }} options
 * @returns {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export function strykerConfig({ mutate, vitestConfig, timeoutMS = 10_000 }) {
  return {
    // pnpm keeps the runner out of core's own node_modules, so name the plugin by its resolved path.
    plugins: [require.resolve("@stryker-mutator/vitest-runner")],
    testRunner: "vitest",
    vitest: vitestConfig ? { configFile: vitestConfig } : {},
    mutate,
    coverageAnalysis: "perTest",
    concurrency: 1,
    timeoutMS,
    timeoutFactor: 2,
    // Not incremental: most protocol mutants are static (module-level schemas), and reusing their
    // earlier verdicts kept survivors that new tests kill. A full run is the honest score.
    tempDirName: ".stryker-tmp",
    reporters: ["clear-text", "progress-append-only", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/mutation.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    thresholds: { high: 90, low: 80, break: null },
    cleanTempDir: "always",
  };
}
