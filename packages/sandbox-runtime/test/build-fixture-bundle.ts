/**
 * vitest global setup: bundles test/fixtures/plumbing-entry.ts the same way scripts/build.mjs
 * bundles the real runtime, so process-level tests run what a sandbox would run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    plumbingBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "ns-runtime-bundle-"));
  const outfile = join(dir, "plumbing-runtime.mjs");
  await build({
    entryPoints: [new URL("./fixtures/plumbing-entry.ts", import.meta.url).pathname],
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
  project.provide("plumbingBundle", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
