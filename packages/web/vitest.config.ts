/** Component and unit tests: happy-dom, everything under src/. Browser tests have their own config. */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    setupFiles: ["./test/setup-dom.ts"],
    testTimeout: 10_000,
  },
});
