/** Claude Code held to the AgentAdapter contract, on output recorded from the real CLI (fixtures/). */
import { readFileSync } from "node:fs";
import { describeAgentAdapterContract } from "./adapter-contract";
import { claudeCode } from "./claude-code";

const recorded = (name: string) =>
  readFileSync(new URL(`./fixtures/claude-${name}.jsonl`, import.meta.url), "utf8");

describeAgentAdapterContract("Claude Code", () => claudeCode, {
  toolTurn: recorded("shell"),
  providerError: recorded("error"),
});
