/**
 * The Anthropic Messages API wire format, server side: a planned assistant message rendered
 * as the SSE event sequence of a streaming response (message_start → content_block_start /
 * ping / content_block_delta… / content_block_stop per block → message_delta → message_stop),
 * as the JSON body of a non-streaming one, and the API's error body.
 */
import {
  hasToolCall,
  outputTokensOf,
  type PlannedBlock,
  type PlannedMessage,
  type SseFrame,
  splitIntoChunks,
} from "./planned-message";
import { errorTypeForStatus } from "./replies";

const EMPTY_CACHE_USAGE = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function stopReasonOf(message: PlannedMessage): "tool_use" | "end_turn" {
  return hasToolCall(message) ? "tool_use" : "end_turn";
}

function blockFrames(block: PlannedBlock, index: number): SseFrame[] {
  if (block.type === "text") {
    const frames: SseFrame[] = [
      { event: "content_block_start", data: { index, content_block: { type: "text", text: "" } } },
    ];
    for (const text of splitIntoChunks(block.text, block.chunks)) {
      frames.push({
        event: "content_block_delta",
        data: { index, delta: { type: "text_delta", text } },
        pauseMs: block.chunkDelayMs,
      });
    }
    return frames;
  }
  // Tool input streams as JSON text pieces that only parse once joined, like the real API's.
  const json = JSON.stringify(block.input);
  const frames: SseFrame[] = [
    {
      event: "content_block_start",
      data: { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } },
    },
  ];
  for (const partial_json of splitIntoChunks(json, 2)) {
    frames.push({
      event: "content_block_delta",
      data: { index, delta: { type: "input_json_delta", partial_json } },
    });
  }
  return frames;
}

/** The SSE frames of a streaming response; each frame's data repeats its type, as the API does. */
export function streamFrames(message: PlannedMessage): SseFrame[] {
  const frames: SseFrame[] = [
    {
      event: "message_start",
      data: {
        message: {
          id: message.id,
          type: "message",
          role: "assistant",
          model: message.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: message.inputTokens, output_tokens: 1, ...EMPTY_CACHE_USAGE },
        },
      },
    },
  ];
  message.blocks.forEach((block, index) => {
    const [start, ...rest] = blockFrames(block, index);
    frames.push(start!);
    if (index === 0) frames.push({ event: "ping", data: {} });
    frames.push(...rest, { event: "content_block_stop", data: { index } });
  });
  frames.push(
    {
      event: "message_delta",
      data: {
        delta: { stop_reason: stopReasonOf(message), stop_sequence: null },
        usage: { output_tokens: outputTokensOf(message) },
      },
    },
    { event: "message_stop", data: {} },
  );
  return frames.map((frame) => ({ ...frame, data: { type: frame.event, ...(frame.data as object) } }));
}

/** The body of a non-streaming (`stream: false`) response. */
export function messageBody(message: PlannedMessage): Record<string, unknown> {
  return {
    id: message.id,
    type: "message",
    role: "assistant",
    model: message.model,
    content: message.blocks.map((block) =>
      block.type === "text"
        ? { type: "text", text: block.text }
        : { type: "tool_use", id: block.id, name: block.name, input: block.input },
    ),
    stop_reason: stopReasonOf(message),
    stop_sequence: null,
    usage: {
      input_tokens: message.inputTokens,
      output_tokens: outputTokensOf(message),
      ...EMPTY_CACHE_USAGE,
    },
  };
}

export function anthropicErrorBody(
  status: number,
  type: string | undefined,
  message: string,
  requestId: string,
) {
  return {
    type: "error",
    error: { type: type ?? errorTypeForStatus(status), message },
    request_id: requestId,
  };
}
