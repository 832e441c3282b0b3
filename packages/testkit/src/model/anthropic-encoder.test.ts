import { describe, expect, it } from "vitest";
import { anthropicErrorBody, messageBody, streamFrames } from "./anthropic-encoder";
import type { PlannedMessage } from "./planned-message";

const toolMessage: PlannedMessage = {
  id: "msg_1",
  model: "claude-sonnet-4-5",
  inputTokens: 120,
  blocks: [
    { type: "text", text: "Running it.", chunks: 1, chunkDelayMs: 0 },
    { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls -la" } },
  ],
};

const dataOf = (frame: { data: unknown }) => frame.data as Record<string, unknown>;

describe("Anthropic streamFrames", () => {
  it("follows the Messages API event order with a tool_use block", () => {
    const frames = streamFrames(toolMessage);
    expect(frames.map((f) => f.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const frame of frames) expect(dataOf(frame).type).toBe(frame.event);
    const json = frames
      .map((f) => dataOf(f).delta as { type?: string; partial_json?: string } | undefined)
      .filter((delta) => delta?.type === "input_json_delta")
      .map((delta) => delta!.partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ command: "ls -la" });
    const end = dataOf(frames.at(-2)!) as {
      delta: { stop_reason: string };
      usage: { output_tokens: number };
    };
    expect(end.delta.stop_reason).toBe("tool_use");
    expect(end.usage.output_tokens).toBeGreaterThan(1);
  });
});

describe("Anthropic messageBody and error body", () => {
  it("renders a complete non-streaming message", () => {
    const body = messageBody(toolMessage) as {
      content: unknown[];
      stop_reason: string;
      usage: { input_tokens: number };
    };
    expect(body.content).toHaveLength(2);
    expect(body.stop_reason).toBe("tool_use");
    expect(body.usage.input_tokens).toBe(120);
  });
  it("renders the API's error shape, with the type following the status unless given", () => {
    expect(anthropicErrorBody(429, undefined, "slow down", "req_1")).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "slow down" },
      request_id: "req_1",
    });
    expect(anthropicErrorBody(500, "custom_error", "x", "req_2")).toMatchObject({
      error: { type: "custom_error" },
    });
  });
});
