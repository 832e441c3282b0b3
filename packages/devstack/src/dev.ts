/**
 * `make dev`: runs Nightshift locally until Ctrl-C: the Worker on http://127.0.0.1:8787 (local D1
 * and DOs, state kept in .nightshift-dev/), the sandbox host, and the scripted model when no
 * ANTHROPIC_API_KEY is set. A sample repository `demo` is ready to pick in the dashboard.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createSpinner } from "nanospinner";
import pc from "picocolors";
import { createDemoRepo } from "./demo-repo";
import { startStack } from "./stack";
import { REPO_ROOT } from "./worker";

const port = Number(process.env.NIGHTSHIFT_PORT ?? 8787);
const stateDir = process.env.NIGHTSHIFT_STATE_DIR ?? join(REPO_ROOT, ".nightshift-dev");
const spinner = createSpinner(`Starting Nightshift on port ${port}`).start();
const stack = await startStack({
  port,
  stateDir,
  echo: process.env.NIGHTSHIFT_QUIET !== "1",
  autopilotChunkDelayMs: 40,
}).catch((err: Error) => {
  spinner.error({ text: `Nightshift did not start: ${err.message}` });
  process.exit(1);
});
if (!existsSync(join(stack.reposRoot, "demo"))) createDemoRepo(stack.reposRoot, "demo");
spinner.success({ text: "Nightshift is running" });
console.log(`
  ${pc.bold("Dashboard")}   ${stack.url}   (sign in with the dev login)
  ${pc.bold("API")}         ${stack.url}/api/v1   health: ${stack.url}/api/v1/health
  ${pc.bold("Sandboxes")}   ${stack.host.url} (${stack.host.isolation} isolation)
  ${pc.bold("Model")}       ${stack.model ? `scripted model at ${stack.model.url} for each model API without a key (set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY for a real one)` : "the providers' APIs"}
  ${pc.bold("Local repos")} ${stack.reposRoot}  (a sample repository "demo" is there)

  Press Ctrl-C to stop.
`);
const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
