/** Codex held to the AgentAdapter contract, on output recorded from the real CLI (fixtures/). */
import { readFileSync } from "node:fs";
import { describeAgentAdapterContract } from "./adapter-contract";
import { codex } from "./codex";

const recorded = (name: string) =>
  readFileSync(new URL(`./fixtures/codex-${name}.jsonl`, import.meta.url), "utf8");

describeAgentAdapterContract("Codex", () => codex, {
  toolTurn: recorded("shell"),
  providerError: recorded("error"),
});
