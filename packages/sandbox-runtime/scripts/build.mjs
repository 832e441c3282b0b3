// Bundles the runtime into one file (dist/runtime.mjs) so a sandbox needs only Node, git and the agent CLIs.
import { build } from "esbuild";

const started = Date.now();
await build({
  entryPoints: [new URL("../src/main.ts", import.meta.url).pathname],
  outfile: new URL("../dist/runtime.mjs", import.meta.url).pathname,
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
console.log(`built dist/runtime.mjs in ${Date.now() - started} ms`);
