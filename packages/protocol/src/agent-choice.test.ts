import { describe, expect, it } from "vitest";
import { AgentDefaults } from "./index.ts";

describe("tenant agent defaults", () => {
  it("take a known agent and a model per known agent, nothing else", () => {
    expect(AgentDefaults.parse({})).toEqual({ models: {} });
    expect(AgentDefaults.parse({ agent: "codex", models: { codex: " gpt-5.5 " } })).toEqual({
      agent: "codex",
      models: { codex: "gpt-5.5" },
    });
    expect(AgentDefaults.safeParse({ agent: "cursor" }).success).toBe(false);
    expect(AgentDefaults.safeParse({ models: { cursor: "x" } }).success).toBe(false);
    expect(AgentDefaults.safeParse({ models: { codex: "--yolo" } }).success).toBe(false);
    expect(AgentDefaults.safeParse({ agent: "pi", extra: 1 }).success).toBe(false);
  });
});
