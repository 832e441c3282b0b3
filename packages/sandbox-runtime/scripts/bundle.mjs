// One place that knows how the runtime is bundled: the release build (scripts/build.mjs) and the
// test fixtures of this package and of the sandbox host all bundle through here, so tests run what
// a sandbox would run.
import { build } from "esbuild";

/** Bundles `entry` and everything it imports into one ESM file for Node >= 22. */
export async function bundleRuntime(entry, outfile) {
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
