/**
 * vitest global setup: bundles test/fixtures/plumbing-entry.ts the same way scripts/build.mjs
 * bundles the real runtime, so process-level tests run what a sandbox would run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { bundleRuntime } from "../scripts/bundle.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    plumbingBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "ns-runtime-bundle-"));
  const outfile = join(dir, "plumbing-runtime.mjs");
  await bundleRuntime(new URL("./fixtures/plumbing-entry.ts", import.meta.url).pathname, outfile);
  project.provide("plumbingBundle", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
