/**
 * Reading an OpenAI Chat Completions request (`POST /v1/chat/completions`, as OpenCode, Pi and
 * Goose send it) into the scripted model's conversation. Tool results are `tool` messages
 * answering an assistant's `tool_calls` by id.
 */
import { z } from "zod";
import { type Conversation, contentText, type Part, schemaParameters, type Turn } from "./conversation";

const ToolCall = z.looseObject({
  id: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string().default("") }),
});

export const ChatCompletionsRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(
    z.looseObject({
      role: z.string().min(1),
      content: z.unknown().optional(),
      tool_calls: z.array(ToolCall).nullish(),
      tool_call_id: z.string().optional(),
    }),
  ),
  tools: z
    .array(
      z.looseObject({ function: z.looseObject({ name: z.string(), parameters: z.unknown().optional() }) }),
    )
    .optional(),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});
export type ChatCompletionsRequest = z.infer<typeof ChatCompletionsRequest>;

/** Tool arguments arrive as a JSON string; a malformed one is kept as the raw text. */
export function parseArguments(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return text;
  }
}

export function chatConversation(request: ChatCompletionsRequest): Conversation {
  const system: string[] = [];
  const turns: Turn[] = [];
  for (const message of request.messages) {
    const text = contentText(message.content);
    if (message.role === "system" || message.role === "developer") {
      system.push(text);
      continue;
    }
    if (message.role === "tool") {
      const part: Part = {
        type: "tool_result",
        id: message.tool_call_id ?? "",
        content: text,
        isError: false,
      };
      const previous = turns.at(-1);
      // Several tool results in a row answer one assistant turn: keep them in one user turn.
      if (previous?.role === "user" && previous.parts.every((p) => p.type === "tool_result"))
        previous.parts.push(part);
      else turns.push({ role: "user", parts: [part] });
      continue;
    }
    const parts: Part[] = text ? [{ type: "text", text }] : [];
    for (const call of message.tool_calls ?? []) {
      parts.push({
        type: "tool_call",
        id: call.id,
        name: call.function.name,
        input: parseArguments(call.function.arguments),
      });
    }
    turns.push({ role: message.role === "assistant" ? "assistant" : "user", parts });
  }
  return {
    model: request.model,
    stream: request.stream === true,
    streamUsage: request.stream_options?.include_usage === true,
    system: system.join("\n"),
    tools: (request.tools ?? []).map((t) => ({
      name: t.function.name,
      parameters: schemaParameters(t.function.parameters),
    })),
    turns,
  };
}
