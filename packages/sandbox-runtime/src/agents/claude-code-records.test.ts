import { describe, expect, it } from "vitest";
import {
  ResultLine,
  ToolResultBlock,
  ToolUseBlock,
  toolOutputText,
  withoutReminders,
} from "./claude-code-records";

describe("reading a tool result's content", () => {
  it("takes a string as it is, text blocks joined by lines, and names what is not text", () => {
    expect(toolOutputText("plain output")).toBe("plain output");
    expect(
      toolOutputText([
        { type: "text", text: "first" },
        { type: "image", source: {} },
        { type: "text", text: "second" },
        { no: "type" },
        null,
      ]),
    ).toBe("first\n[image]\nsecond\n[content]\n[content]");
    expect(toolOutputText([])).toBe("");
  });

  it("shows nothing for no content, and JSON for any other shape", () => {
    expect(toolOutputText(undefined)).toBe("");
    expect(toolOutputText(null)).toBe("");
    expect(toolOutputText({ exitCode: 1 })).toBe('{"exitCode":1}');
    expect(toolOutputText(42)).toBe("42");
  });

  it("drops the reminders meant for the model, wherever they are, and trims", () => {
    expect(
      withoutReminders(
        "  line one\n<system-reminder>\nremember this\n</system-reminder>\nline two <system-reminder>x</system-reminder>  ",
      ),
    ).toBe("line one\nline two");
    expect(withoutReminders("<system-reminder>only</system-reminder>")).toBe("");
    expect(withoutReminders("no reminder here")).toBe("no reminder here");
  });
});

describe("Claude Code record schemas", () => {
  it("needs ids on tool calls and their results", () => {
    expect(ToolUseBlock.safeParse({ type: "tool_use", id: "", name: "Bash", input: {} }).success).toBe(false);
    expect(ToolUseBlock.safeParse({ type: "tool_use", id: "t1", name: "Bash", input: {} }).success).toBe(
      true,
    );
    expect(ToolResultBlock.safeParse({ type: "tool_result", tool_use_id: "" }).success).toBe(false);
    expect(
      ToolResultBlock.safeParse({ type: "tool_result", tool_use_id: "t1", is_error: null }).success,
    ).toBe(true);
  });

  it("reads a usage count that is missing or nonsense as zero, keeping the others", () => {
    const parsed = ResultLine.parse({
      type: "result",
      usage: { input_tokens: 12, output_tokens: -3, cache_read_input_tokens: "many" },
      model_usage_since_last_result: { "claude-x": { costUSD: 0.5 }, "claude-y": {} },
    });
    expect(parsed.usage).toMatchObject({
      input_tokens: 12,
      output_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    expect(parsed.model_usage_since_last_result).toEqual({
      "claude-x": { costUSD: 0.5 },
      "claude-y": { costUSD: 0 },
    });
  });
});
