#!/usr/bin/env node
// Entry point of the scripted model server CLI (`nightshift-scripted-model`, `pnpm --filter
// @nightshift/testkit run model`). The sources are TypeScript run by Node's type stripping; they
// import each other without extensions (like the rest of the workspace), which Node's resolver does
// not do by itself, so a resolve hook retries a relative, extensionless specifier with ".ts".
import * as nodeModule from "node:module";

if (typeof nodeModule.registerHooks !== "function" || !process.features.typescript) {
  process.stderr.write(
    `nightshift-scripted-model needs Node >= 22.18 (TypeScript type stripping and module.registerHooks); ` +
      `this is Node ${process.versions.node}. Use the project's Node (make toolchain puts Node 24 in .tools/).\n`,
  );
  process.exit(1);
}

nodeModule.registerHooks({
  resolve(specifier, context, nextResolve) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!relative || /\.[cm]?[jt]s$/.test(specifier)) return nextResolve(specifier, context);
    try {
      return nextResolve(`${specifier}.ts`, context);
    } catch {
      return nextResolve(specifier, context);
    }
  },
});

await import("../src/model/cli.ts");
