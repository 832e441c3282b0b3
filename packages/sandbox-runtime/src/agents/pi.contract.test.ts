/** Pi held to the AgentAdapter contract, on output recorded from the real CLI (fixtures/). */
import { readFileSync } from "node:fs";
import { describeAgentAdapterContract } from "./adapter-contract";
import { pi, piPromptArgument } from "./pi";

const recorded = (name: string) =>
  readFileSync(new URL(`./fixtures/pi-${name}.jsonl`, import.meta.url), "utf8");

describeAgentAdapterContract("Pi", () => pi, {
  toolTurn: recorded("shell"),
  providerError: recorded("error"),
  // prepare points Pi's models.json at the relay's URL; it refuses to run without one.
  env: { ANTHROPIC_BASE_URL: "http://127.0.0.1:9", ANTHROPIC_API_KEY: "placeholder-key" },
  // Pi's parser has no `--`: a prompt starting with "-" gets one leading space (see pi.ts).
  promptArgument: piPromptArgument,
});
