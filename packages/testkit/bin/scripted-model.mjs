#!/usr/bin/env node
// Entry point of the scripted model server CLI (`nightshift-scripted-model`, `pnpm --filter
// @nightshift/testkit run model`). The sources are TypeScript run by Node 24's type stripping; they
// import each other without extensions (like the rest of the workspace), which Node's resolver does
// not do by itself, so a resolve hook retries a relative, extensionless specifier with ".ts".
import { registerHooks } from "node:module";

registerHooks({
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
