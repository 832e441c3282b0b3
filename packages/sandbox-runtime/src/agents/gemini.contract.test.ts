/** Gemini CLI held to the AgentAdapter contract, on output recorded from the real CLI (fixtures/). */
import { readFileSync } from "node:fs";
import { describeAgentAdapterContract } from "./adapter-contract";
import { gemini } from "./gemini";

const recorded = (name: string) =>
  readFileSync(new URL(`./fixtures/gemini-${name}.jsonl`, import.meta.url), "utf8");

describeAgentAdapterContract("Gemini CLI", () => gemini, {
  toolTurn: recorded("shell"),
  providerError: recorded("error"),
  // The CLI's option parser refuses a separate value starting with "-"; after "=" it takes the rest verbatim.
  promptArgument: (prompt) => `--prompt=${prompt}`,
});
