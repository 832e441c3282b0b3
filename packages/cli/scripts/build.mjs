// Bundles the CLI into one file (dist/nightshift.mjs): one module to load makes `nightshift`
// start in tens of milliseconds, where resolving the workspace's TypeScript at run time takes seconds.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const PROTOCOL_SRC = fileURLToPath(new URL("../../protocol/src/", import.meta.url));

/**
 * `import { z } from "zod"` hands the bundler zod's whole namespace as one value, so every schema
 * kind and all 40-odd locales (≈ 450 KB) end up in the bundle; `import * as z from "zod"` lets it
 * keep only what our schemas call (≈ 75 KB). Same zod, same behaviour: only the import form of
 * our own workspace sources changes, and only in this bundle.
 */
const zodNamespaceImports = {
  name: "zod-namespace-imports",
  setup(b) {
    b.onLoad({ filter: /\/packages\/(protocol|client|cli)\/src\/[^/]+(\/[^/]+)*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      return {
        contents: source.replace(/^import \{ z \} from "zod";$/gm, 'import * as z from "zod";'),
        loader: "ts",
      };
    });
  },
};

/**
 * The protocol's modules only declare schemas and constants: tell the bundler so, and the modules
 * the CLI never uses (the bridge, the sandbox host's contract, the model gateway, ...) are not
 * bundled and their schemas are not built at every start.
 */
const protocolWithoutSideEffects = {
  name: "protocol-without-side-effects",
  setup(b) {
    b.onResolve({ filter: /^@nightshift\/protocol$/ }, () => ({
      path: `${PROTOCOL_SRC}index.ts`,
      sideEffects: false,
    }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(PROTOCOL_SRC)) return undefined;
      return { path: fileURLToPath(new URL(args.path, `file://${args.importer}`)), sideEffects: false };
    });
  },
};

/** Bundles src/main.ts and everything it imports into dist/nightshift.mjs. */
export async function buildCli() {
  await build({
    entryPoints: [fileURLToPath(new URL("../src/main.ts", import.meta.url))],
    outfile: fileURLToPath(new URL("../dist/nightshift.mjs", import.meta.url)),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    legalComments: "none",
    minify: true,
    plugins: [zodNamespaceImports, protocolWithoutSideEffects],
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
