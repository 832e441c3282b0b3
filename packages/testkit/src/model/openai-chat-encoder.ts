/**
 * The OpenAI Chat Completions wire format, server side: `chat.completion.chunk` SSE events
 * (`data:` lines only; role, content or tool_calls deltas, a chunk with `finish_reason`, a usage
 * chunk when the client asked for it, then `data: [DONE]`), the non-streaming body, and the
 * error body `{"error":{message,type,param,code}}`.
 */
import {
  hasToolCall,
  outputTokensOf,
  type PlannedMessage,
  type SseFrame,
  splitIntoChunks,
} from "./planned-message";

/** A fixed creation time: replies stay deterministic. */
const CREATED = 1_767_225_600;

function usageOf(message: PlannedMessage) {
  const completion = outputTokensOf(message);
  return {
    prompt_tokens: message.inputTokens,
    completion_tokens: completion,
    total_tokens: message.inputTokens + completion,
  };
}

export function chatStreamFrames(message: PlannedMessage, includeUsage: boolean): SseFrame[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, pauseMs = 0): SseFrame => ({
    data: {
      id: message.id,
      object: "chat.completion.chunk",
      created: CREATED,
      model: message.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    },
    pauseMs,
  });
  const frames: SseFrame[] = [chunk({ role: "assistant", content: "" })];
  let toolIndex = 0;
  for (const block of message.blocks) {
    if (block.type === "text") {
      for (const text of splitIntoChunks(block.text, block.chunks))
        frames.push(chunk({ content: text }, null, block.chunkDelayMs));
      continue;
    }
    const index = toolIndex++;
    frames.push(
      chunk({
        tool_calls: [
          { index, id: block.id, type: "function", function: { name: block.name, arguments: "" } },
        ],
      }),
    );
    for (const piece of splitIntoChunks(JSON.stringify(block.input), 2)) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  }
  frames.push(chunk({}, hasToolCall(message) ? "tool_calls" : "stop"));
  if (includeUsage) {
    frames.push({
      data: {
        id: message.id,
        object: "chat.completion.chunk",
        created: CREATED,
        model: message.model,
        choices: [],
        usage: usageOf(message),
      },
    });
  }
  frames.push({ data: "[DONE]" });
  return frames;
}

export function chatBody(message: PlannedMessage): Record<string, unknown> {
  const text = message.blocks.map((b) => (b.type === "text" ? b.text : "")).join("");
  const toolCalls = message.blocks.flatMap((b) =>
    b.type === "tool_use"
      ? [{ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } }]
      : [],
  );
  return {
    id: message.id,
    object: "chat.completion",
    created: CREATED,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text || null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: usageOf(message),
  };
}

const OPENAI_ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["permission_error", null],
  404: ["invalid_request_error", "model_not_found"],
  429: ["rate_limit_error", "rate_limit_exceeded"],
};

/** OpenAI's error body (also used by the Responses API). */
export function openAiErrorBody(status: number, type: string | undefined, message: string) {
  const [defaultType, code] = OPENAI_ERROR_TYPES[status] ?? ["server_error", null];
  return { error: { message, type: type ?? defaultType, param: null, code } };
}
