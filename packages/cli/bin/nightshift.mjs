#!/usr/bin/env node
// The `nightshift` command: runs the bundle `pnpm --filter @nightshift/cli run build` writes.
import { enableCompileCache } from "node:module";

// V8's compiled code for the bundle is kept on disk between runs: a cold `nightshift` then starts
// in a fraction of the time it takes to parse a megabyte of JavaScript again.
enableCompileCache?.();
try {
  await import("../dist/nightshift.mjs");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("nightshift.mjs"))
    throw error;
  process.stderr.write("nightshift is not built yet: run `pnpm --filter @nightshift/cli run build`\n");
  process.exitCode = 5;
}
