import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The end-to-end file starts a whole stack (Worker + sandbox host + model): one file at a time.
    fileParallelism: false,
    globalSetup: ["./test/build-cli.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
