/** Component and unit tests: happy-dom, everything under src/. Browser tests have their own config. */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    setupFiles: ["./test/setup-dom.ts"],
    // One module graph and DOM for all files (test/setup-dom.ts resets what they share): per-file
    // isolation spent ~75 s of 96 setting up happy-dom and importing React again for each file.
    isolate: false,
    testTimeout: 10_000,
  },
});
