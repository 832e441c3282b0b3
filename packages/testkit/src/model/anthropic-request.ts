/**
 * Reading an Anthropic Messages API request (`POST /v1/messages`): the body schema — loose, as
 * clients send many keys the scripted model does not care about — and its conversation.
 */
import { z } from "zod";
import { type Conversation, contentText, type Part, schemaParameters } from "./conversation";

const ContentBlock = z.looseObject({ type: z.string() });
const Content = z.union([z.string(), z.array(ContentBlock)]);

export const MessagesRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  // Claude Code sends "system" messages inside `messages` for newer models, so any role is accepted.
  messages: z.array(z.looseObject({ role: z.string().min(1), content: Content })),
  system: Content.optional(),
  tools: z.array(z.looseObject({ name: z.string(), input_schema: z.unknown().optional() })).optional(),
  stream: z.boolean().optional(),
  max_tokens: z.number().int().positive().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

const TextBlock = z.object({ type: z.literal("text"), text: z.string() });
const ToolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});

function partsOf(content: z.infer<typeof Content>): Part[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const parts: Part[] = [];
  for (const block of content) {
    const text = TextBlock.safeParse(block);
    if (text.success) parts.push({ type: "text", text: text.data.text });
    const use = ToolUseBlock.safeParse(block);
    if (use.success)
      parts.push({ type: "tool_call", id: use.data.id, name: use.data.name, input: use.data.input });
    const result = ToolResultBlock.safeParse(block);
    if (result.success) {
      parts.push({
        type: "tool_result",
        id: result.data.tool_use_id,
        content: contentText(result.data.content),
        isError: result.data.is_error ?? false,
      });
    }
  }
  return parts;
}

export function anthropicConversation(request: MessagesRequest): Conversation {
  return {
    model: request.model,
    stream: request.stream === true,
    streamUsage: true,
    system:
      request.system === undefined
        ? ""
        : contentText(partsOf(request.system).map((p) => (p.type === "text" ? p.text : ""))),
    tools: (request.tools ?? []).map((tool) => ({
      name: tool.name,
      parameters: schemaParameters(tool.input_schema),
    })),
    turns: request.messages.map((message) => ({
      role: message.role === "assistant" ? "assistant" : message.role === "system" ? "system" : "user",
      parts: partsOf(message.content),
    })),
  };
}
