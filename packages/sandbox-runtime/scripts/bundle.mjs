// One place that knows how the runtime is bundled: the release build (scripts/build.mjs) and the
// test fixtures of this package and of the sandbox host all bundle through here, so tests run what
// a sandbox would run.
import { dirname, join } from "node:path";
import { build } from "esbuild";

/** Where the git credential helper's own entry is (see src/git-credential.ts). */
const HELPER_ENTRY = new URL("../src/git-credential.ts", import.meta.url).pathname;

/**
 * Bundles `entry` and everything it imports into one ESM file for Node >= 22, and the git
 * credential helper into git-credential.mjs beside it (the runtime points git at that file when
 * it is there: a helper run then loads a few KB instead of the whole runtime).
 */
export async function bundleRuntime(entry, outfile) {
  await Promise.all([
    bundleOne(entry, outfile),
    bundleOne(HELPER_ENTRY, join(dirname(outfile), "git-credential.mjs")),
  ]);
}

async function bundleOne(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: false,
    legalComments: "none",
    // ws has optional native add-ons; the pure-JS fallbacks are fine inside a sandbox.
    external: ["bufferutil", "utf-8-validate"],
    // Some bundled CommonJS code calls require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
}
