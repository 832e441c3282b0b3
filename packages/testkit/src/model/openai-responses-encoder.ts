/**
 * The OpenAI Responses wire format, server side: the SSE event sequence Codex reads
 * (response.created → per output item: output_item.added, text or argument deltas,
 * output_item.done → response.completed with usage), and the non-streaming body. A call of a
 * tool the request offers as freeform (`type: "custom"`, Codex's apply_patch) is a
 * `custom_tool_call` whose raw `input` text is the reply's `input.input` string.
 */
import {
  outputTokensOf,
  type PlannedBlock,
  type PlannedMessage,
  type SseFrame,
  splitIntoChunks,
} from "./planned-message";

const CREATED = 1_767_225_600;

/** Names of the tools the request offers as freeform (raw text input). */
export type FreeformTools = ReadonlySet<string>;

function freeformInput(input: Record<string, unknown>): string {
  return typeof input.input === "string" ? input.input : JSON.stringify(input);
}

function itemOf(
  block: PlannedBlock,
  index: number,
  messageId: string,
  freeform: FreeformTools,
): Record<string, unknown> {
  if (block.type === "text") {
    return {
      id: `msg_${messageId}_${index}`,
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: block.text, annotations: [] }],
    };
  }
  if (freeform.has(block.name)) {
    return {
      id: `ctc_${messageId}_${index}`,
      type: "custom_tool_call",
      status: "completed",
      call_id: block.id,
      name: block.name,
      input: freeformInput(block.input),
    };
  }
  return {
    id: `fc_${messageId}_${index}`,
    type: "function_call",
    status: "completed",
    call_id: block.id,
    name: block.name,
    arguments: JSON.stringify(block.input),
  };
}

function responseOf(message: PlannedMessage, status: "in_progress" | "completed", freeform: FreeformTools) {
  const output =
    status === "completed" ? message.blocks.map((b, i) => itemOf(b, i, message.id, freeform)) : [];
  const outputTokens = outputTokensOf(message);
  return {
    id: message.id,
    object: "response",
    created_at: CREATED,
    status,
    model: message.model,
    output,
    ...(status === "completed"
      ? {
          usage: {
            input_tokens: message.inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: message.inputTokens + outputTokens,
          },
        }
      : {}),
  };
}

export function responsesStreamFrames(
  message: PlannedMessage,
  freeform: FreeformTools = new Set(),
): SseFrame[] {
  const frames: SseFrame[] = [];
  const push = (event: string, data: Record<string, unknown>, pauseMs = 0) =>
    frames.push({ event, data: { type: event, sequence_number: frames.length, ...data }, pauseMs });
  push("response.created", { response: responseOf(message, "in_progress", freeform) });
  message.blocks.forEach((block, output_index) => {
    const done = itemOf(block, output_index, message.id, freeform);
    const item_id = done.id;
    if (block.type === "text") {
      push("response.output_item.added", {
        output_index,
        item: { ...done, status: "in_progress", content: [] },
      });
      const part = { type: "output_text", text: "", annotations: [] };
      push("response.content_part.added", { item_id, output_index, content_index: 0, part });
      for (const delta of splitIntoChunks(block.text, block.chunks)) {
        push(
          "response.output_text.delta",
          { item_id, output_index, content_index: 0, delta },
          block.chunkDelayMs,
        );
      }
      push("response.output_text.done", { item_id, output_index, content_index: 0, text: block.text });
      push("response.content_part.done", {
        item_id,
        output_index,
        content_index: 0,
        part: { ...part, text: block.text },
      });
    } else if (done.type === "custom_tool_call") {
      push("response.output_item.added", {
        output_index,
        item: { ...done, status: "in_progress", input: "" },
      });
      push("response.custom_tool_call_input.delta", { item_id, output_index, delta: done.input });
      push("response.custom_tool_call_input.done", { item_id, output_index, input: done.input });
    } else {
      push("response.output_item.added", {
        output_index,
        item: { ...done, status: "in_progress", arguments: "" },
      });
      for (const delta of splitIntoChunks(done.arguments as string, 2)) {
        push("response.function_call_arguments.delta", { item_id, output_index, delta });
      }
      push("response.function_call_arguments.done", { item_id, output_index, arguments: done.arguments });
    }
    push("response.output_item.done", { output_index, item: done });
  });
  push("response.completed", { response: responseOf(message, "completed", freeform) });
  return frames;
}

export function responsesBody(
  message: PlannedMessage,
  freeform: FreeformTools = new Set(),
): Record<string, unknown> {
  return responseOf(message, "completed", freeform);
}
