/**
 * Reading an Anthropic Messages API request: the body schema (loose: clients send many keys we
 * do not care about) and the few facts the scripted model needs from a conversation.
 */
import { z } from "zod";

const ContentBlock = z.looseObject({ type: z.string() });
const Content = z.union([z.string(), z.array(ContentBlock)]);

export const MessagesRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  // Claude Code sends "system" messages inside `messages` for newer models, so any role is accepted.
  messages: z.array(z.looseObject({ role: z.string().min(1), content: Content })),
  system: Content.optional(),
  tools: z.array(z.looseObject({ name: z.string() })).optional(),
  stream: z.boolean().optional(),
  max_tokens: z.number().int().positive().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

export interface ToolResultSeen {
  toolUseId: string;
  content: string;
  isError: boolean;
}

/** What the newest user message carries: a fresh prompt, or the results of the model's tool calls. */
export type LatestUserInput =
  | { kind: "prompt"; text: string }
  | { kind: "tool_results"; results: ToolResultSeen[] }
  | { kind: "none" };

const TextBlock = z.object({ type: z.literal("text"), text: z.string() });
const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: Content.optional(),
  is_error: z.boolean().optional(),
});
const ToolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

/** Plain text of a content value; agent CLIs' injected <system-reminder> blocks are left out. */
export function textOf(content: MessagesRequest["system"]): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  const parts: string[] = [];
  for (const block of content) {
    const text = TextBlock.safeParse(block);
    if (text.success && !text.data.text.trimStart().startsWith("<system-reminder>")) {
      parts.push(text.data.text);
    }
  }
  return parts.join("\n");
}

export function latestUserInput(request: MessagesRequest): LatestUserInput {
  const last = request.messages.findLast((message) => message.role !== "system");
  if (last?.role !== "user") return { kind: "none" };
  if (typeof last.content !== "string") {
    const results: ToolResultSeen[] = [];
    for (const block of last.content) {
      const parsed = ToolResultBlock.safeParse(block);
      if (!parsed.success) continue;
      results.push({
        toolUseId: parsed.data.tool_use_id,
        content: textOf(parsed.data.content),
        isError: parsed.data.is_error ?? false,
      });
    }
    if (results.length > 0) return { kind: "tool_results", results };
  }
  const text = textOf(last.content).trim();
  return text ? { kind: "prompt", text } : { kind: "none" };
}

/** The tool call (name and input) that a tool_result answers, found in the conversation so far. */
export function findToolUse(
  request: MessagesRequest,
  toolUseId: string,
): { name: string; input: unknown } | undefined {
  for (const message of request.messages) {
    if (message.role !== "assistant" || typeof message.content === "string") continue;
    for (const block of message.content) {
      const parsed = ToolUseBlock.safeParse(block);
      if (parsed.success && parsed.data.id === toolUseId) {
        return { name: parsed.data.name, input: parsed.data.input };
      }
    }
  }
  return undefined;
}

export function offersTool(request: MessagesRequest, name: string): boolean {
  return request.tools?.some((tool) => tool.name === name) ?? false;
}

/** Every text of a content value, injected reminders included. */
function rawTextOf(content: MessagesRequest["system"]): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((block) => TextBlock.safeParse(block).data?.text ?? "").join("\n");
}

/**
 * The agent's working directory as the agent states it, when it does: Claude Code 2.1 writes
 * "Primary working directory: /abs/path" in a reminder of the first user message (older
 * versions wrote "Working directory: /abs/path" in the system prompt).
 */
export function statedWorkingDirectory(request: MessagesRequest): string | undefined {
  const pattern = /(?:Primary working directory|Working directory):\s*(\/[^\n]*)/;
  const texts = [rawTextOf(request.system), ...request.messages.map((m) => rawTextOf(m.content))];
  for (const text of texts) {
    const found = pattern.exec(text)?.[1]?.trim();
    if (found) return found;
  }
  return undefined;
}
