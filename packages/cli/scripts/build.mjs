// Bundles the CLI into one file (dist/nightshift.mjs): one module to load makes `nightshift`
// start in tens of milliseconds, where resolving the workspace's TypeScript at run time takes seconds.
import { build } from "esbuild";

/** Bundles src/main.ts and everything it imports into dist/nightshift.mjs. */
export async function buildCli() {
  await build({
    entryPoints: [new URL("../src/main.ts", import.meta.url).pathname],
    outfile: new URL("../dist/nightshift.mjs", import.meta.url).pathname,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    legalComments: "none",
    minify: true,
    // commander is CommonJS and calls require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  await buildCli();
  console.log(`built dist/nightshift.mjs in ${Date.now() - started} ms`);
}
