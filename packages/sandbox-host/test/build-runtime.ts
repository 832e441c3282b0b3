/** vitest global setup: bundles test/fixtures/runtime-entry.ts as the sandbox runtime is bundled. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    runtimeBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "ns-host-runtime-"));
  const outfile = join(dir, "runtime.mjs");
  await build({
    entryPoints: [new URL("./fixtures/runtime-entry.ts", import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: ["bufferutil", "utf-8-validate"],
    banner: {
      js: "import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  project.provide("runtimeBundle", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
