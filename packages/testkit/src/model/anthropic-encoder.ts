/**
 * The Anthropic Messages API wire format, server side: a planned assistant message rendered
 * as the SSE event sequence of a streaming response (message_start → content_block_start /
 * ping / content_block_delta… / content_block_stop per block → message_delta → message_stop),
 * as the JSON body of a non-streaming one, and the API's error bodies.
 */
import { estimateTokens } from "./token-estimate";

export type PlannedBlock =
  | { type: "text"; text: string; chunks: number; chunkDelayMs: number }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface PlannedMessage {
  id: string;
  model: string;
  inputTokens: number;
  blocks: PlannedBlock[];
}

/** One SSE event; `pauseMs` is how long the server waits after writing it. */
export interface SseFrame {
  event: string;
  data: Record<string, unknown>;
  pauseMs?: number;
}

const EMPTY_CACHE_USAGE = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

export function outputTokensOf(message: PlannedMessage): number {
  let tokens = 0;
  for (const block of message.blocks) {
    tokens += estimateTokens(block.type === "text" ? block.text : JSON.stringify(block.input));
  }
  return Math.max(1, tokens);
}

function stopReasonOf(message: PlannedMessage): "tool_use" | "end_turn" {
  return message.blocks.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn";
}

/** Splits text into `count` pieces of near-equal length without cutting a code point. */
export function splitIntoChunks(text: string, count: number): string[] {
  const chars = Array.from(text);
  const pieces = Math.max(1, Math.min(count, chars.length));
  const size = Math.ceil(chars.length / pieces);
  const chunks: string[] = [];
  for (let start = 0; start < chars.length; start += size) {
    chunks.push(chars.slice(start, start + size).join(""));
  }
  return chunks.length > 0 ? chunks : [""];
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
  return frames.map((frame) => ({ ...frame, data: { type: frame.event, ...frame.data } }));
}

/** Renders a frame as SSE text: `event: <type>\ndata: <json>\n\n`. */
export function formatSse(frame: SseFrame): string {
  return `event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;
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

export function errorBody(type: string, message: string, requestId: string): Record<string, unknown> {
  return { type: "error", error: { type, message }, request_id: requestId };
}
