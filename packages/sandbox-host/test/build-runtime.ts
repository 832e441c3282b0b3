/** vitest global setup: bundles test/fixtures/runtime-entry.ts as the sandbox runtime is bundled. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleRuntime } from "@nightshift/sandbox-runtime/bundle";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    runtimeBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "ns-host-runtime-"));
  const outfile = join(dir, "runtime.mjs");
  await bundleRuntime(new URL("./fixtures/runtime-entry.ts", import.meta.url).pathname, outfile);
  project.provide("runtimeBundle", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
