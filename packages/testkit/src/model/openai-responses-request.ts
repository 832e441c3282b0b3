/**
 * Reading an OpenAI Responses request (`POST /v1/responses`, as Codex sends it) into the
 * scripted model's conversation. `input` is a string or a list of items: messages, function
 * calls and their outputs (paired by `call_id`), custom tool calls (Codex's apply_patch).
 */
import { z } from "zod";
import { type Conversation, contentText, type Part, schemaParameters, type Turn } from "./conversation";
import { parseArguments } from "./openai-chat-request";

const Item = z.looseObject({
  type: z.string().optional(),
  role: z.string().optional(),
  content: z.unknown().optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
});

export const ResponsesRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  input: z.union([z.string(), z.array(Item)]),
  instructions: z.string().nullish(),
  tools: z
    .array(
      z.looseObject({
        type: z.string().optional(),
        name: z.string().optional(),
        parameters: z.unknown().optional(),
      }),
    )
    .optional(),
  stream: z.boolean().optional(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;

function partOf(item: z.infer<typeof Item>): { role: Turn["role"]; part: Part } | undefined {
  switch (item.type ?? "message") {
    case "message": {
      const role =
        item.role === "assistant"
          ? "assistant"
          : item.role === "developer" || item.role === "system"
            ? "system"
            : "user";
      return { role, part: { type: "text", text: contentText(item.content) } };
    }
    case "function_call":
      return {
        role: "assistant",
        part: {
          type: "tool_call",
          id: item.call_id ?? "",
          name: item.name ?? "",
          input: parseArguments(item.arguments ?? ""),
        },
      };
    case "custom_tool_call":
      return {
        role: "assistant",
        part: { type: "tool_call", id: item.call_id ?? "", name: item.name ?? "", input: item.input },
      };
    case "function_call_output":
    case "custom_tool_call_output":
      return {
        role: "user",
        part: {
          type: "tool_result",
          id: item.call_id ?? "",
          content: contentText(item.output),
          isError: false,
        },
      };
    default:
      return undefined; // reasoning and other items say nothing the scripted model uses
  }
}

export function responsesConversation(request: ResponsesRequest): Conversation {
  const turns: Turn[] = [];
  const items =
    typeof request.input === "string"
      ? [{ type: "message", role: "user", content: request.input }]
      : request.input;
  for (const item of items) {
    const entry = partOf(item);
    if (!entry) continue;
    const previous = turns.at(-1);
    // Consecutive items of one role form one turn (a call and its sibling calls; several outputs).
    if (previous?.role === entry.role) previous.parts.push(entry.part);
    else turns.push({ role: entry.role, parts: [entry.part] });
  }
  return {
    model: request.model,
    stream: request.stream === true,
    streamUsage: true,
    system: request.instructions ?? "",
    tools: (request.tools ?? []).flatMap((t) =>
      t.name
        ? [
            {
              name: t.name,
              parameters: schemaParameters(t.parameters),
              ...(t.type === "custom" ? { freeform: true } : {}),
            },
          ]
        : [],
    ),
    turns,
  };
}
