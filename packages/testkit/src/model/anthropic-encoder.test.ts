import { describe, expect, it } from "vitest";
import {
  errorBody,
  formatSse,
  messageBody,
  type PlannedMessage,
  splitIntoChunks,
  streamFrames,
} from "./anthropic-encoder";

const toolMessage: PlannedMessage = {
  id: "msg_1",
  model: "claude-sonnet-4-5",
  inputTokens: 120,
  blocks: [
    { type: "text", text: "Running it.", chunks: 1, chunkDelayMs: 0 },
    { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls -la" } },
  ],
};

describe("splitIntoChunks", () => {
  it("splits into near-equal pieces that join back", () => {
    const chunks = splitIntoChunks("abcdefghij", 3);
    expect(chunks).toEqual(["abcd", "efgh", "ij"]);
  });
  it("never cuts a code point and never makes more pieces than characters", () => {
    const chunks = splitIntoChunks("a😀b", 10);
    expect(chunks).toEqual(["a", "😀", "b"]);
  });
  it("keeps one empty piece for empty text", () => {
    expect(splitIntoChunks("", 4)).toEqual([""]);
  });
});

describe("streamFrames", () => {
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
    for (const frame of frames) expect(frame.data.type).toBe(frame.event);
    const json = frames
      .filter((f) => (f.data.delta as { type?: string } | undefined)?.type === "input_json_delta")
      .map((f) => (f.data.delta as { partial_json: string }).partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ command: "ls -la" });
    const delta = frames.at(-2)!.data as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    expect(delta.delta.stop_reason).toBe("tool_use");
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
  });

  it("formats frames as event/data pairs", () => {
    expect(formatSse({ event: "ping", data: { type: "ping" } })).toBe(
      'event: ping\ndata: {"type":"ping"}\n\n',
    );
  });
});

describe("messageBody and errorBody", () => {
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
  it("renders the API's error shape", () => {
    expect(errorBody("rate_limit_error", "slow down", "req_1")).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "slow down" },
      request_id: "req_1",
    });
  });
});
