/** OpenCode held to the AgentAdapter contract, on output recorded from the real CLI (fixtures/). */
import { readFileSync } from "node:fs";
import { describeAgentAdapterContract } from "./adapter-contract";
import { opencode } from "./opencode";

const recorded = (name: string) =>
  readFileSync(new URL(`./fixtures/opencode-${name}.jsonl`, import.meta.url), "utf8");

describeAgentAdapterContract("OpenCode", () => opencode, {
  toolTurn: recorded("shell"),
  providerError: recorded("error"),
  env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_API_KEY: "sk-relay-placeholder" },
});
