/**
 * Entry point of the bundled runtime (`node dist/runtime.mjs`): receives the variables the
 * sandbox host handed over (env.ts), runs the runtime with the agent layer's turn runner and
 * exits with its code. The variables stay in a plain object: the agent layer reads its
 * allowlisted parent variables from it, not from `process.env`, which never holds the token.
 * `node dist/runtime.mjs git-credential get` is the git credential helper the runtime installs.
 */
import { createTurnRunner } from "./agents/index";
import { receiveHandedOffEnvironment } from "./env";
import { runRuntime } from "./runtime";

const received = receiveHandedOffEnvironment(process.env);
if (!received.ok) {
  process.stderr.write(`nightshift-runtime: ${received.problem}\n`);
  process.exit(2);
}
const env = received.env;

runRuntime({ runTurn: createTurnRunner({ parentEnv: env }), argv: process.argv, env }).then(
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
