/**
 * Entry point of the bundled runtime (`node dist/runtime.mjs`): runs the runtime with the agent
 * layer's `runTurn` and exits with its code. `node dist/runtime.mjs git-credential get` is the
 * git credential helper the runtime installs in its clone.
 */
import { runTurn } from "./agents/index";
import { runRuntime } from "./runtime";

runRuntime({ runTurn, argv: process.argv, env: process.env }).then(
  (code) => {
    // Exit explicitly: a background process a hook left running may still hold a pipe open.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(
      `nightshift-runtime: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    process.exit(70);
  },
);
