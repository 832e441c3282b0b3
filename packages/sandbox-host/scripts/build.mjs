// Bundles the daemon (dist/main.mjs, the CLI) and its library face (dist/index.mjs, for plain-Node
// callers such as the dev orchestrator) so they run with Node alone, without TypeScript tooling.
import { build } from "esbuild";

const started = Date.now();
await build({
  entryPoints: {
    main: new URL("../src/main.ts", import.meta.url).pathname,
    index: new URL("../src/index.ts", import.meta.url).pathname,
  },
  outdir: new URL("../dist", import.meta.url).pathname,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node22",
  legalComments: "none",
  logLevel: "warning",
});
console.log(`built dist/main.mjs and dist/index.mjs in ${Date.now() - started} ms`);
