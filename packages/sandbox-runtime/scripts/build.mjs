// Bundles the runtime into one file (dist/runtime.mjs) so a sandbox needs only Node, git and the agent CLIs.
import { bundleRuntime } from "./bundle.mjs";

const started = Date.now();
await bundleRuntime(
  new URL("../src/main.ts", import.meta.url).pathname,
  new URL("../dist/runtime.mjs", import.meta.url).pathname,
);
console.log(`built dist/runtime.mjs and dist/git-credential.mjs in ${Date.now() - started} ms`);
