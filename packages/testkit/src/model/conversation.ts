/**
 * A conversation as the scripted model sees it, whatever the wire format it came in (Anthropic
 * Messages, OpenAI Chat Completions or Responses, Gemini): the model asked for, the tools offered,
 * and the turns so far as text, tool calls and tool results. Autopilot reads only this.
 */

export type Part =
  | { type: "text"; text: string }
  | { type: "tool_call"; id: string; name: string; input: unknown }
  | { type: "tool_result"; id: string; content: string; isError: boolean };

export interface Turn {
  role: "user" | "assistant" | "system";
  parts: Part[];
}

export interface OfferedTool {
  name: string;
  /** Top-level parameter names of its input schema (e.g. file_path, content). */
  parameters: string[];
  /** A freeform tool taking raw text, not JSON (OpenAI Responses `type: "custom"`, Codex's apply_patch). */
  freeform?: boolean;
}

export interface Conversation {
  model: string;
  stream: boolean;
  /** The client asked for a final usage record in the stream (OpenAI `stream_options.include_usage`). */
  streamUsage: boolean;
  system: string;
  tools: OfferedTool[];
  turns: Turn[];
}

/** What the newest user turn carries: a fresh prompt, or the results of the model's tool calls. */
export type LatestUserInput =
  | { kind: "prompt"; text: string }
  | { kind: "tool_results"; results: Extract<Part, { type: "tool_result" }>[] }
  | { kind: "none" };

const REMINDER = /^\s*<(?:system-reminder|session_context|environment_context)>/;

/**
 * The user's own words: what agent CLIs inject beside them is left out (Claude Code's
 * <system-reminder> texts, Gemini CLI's <session_context> part with the directory listing,
 * Codex's <environment_context> message with the directory and shell).
 */
function promptText(parts: Part[]): string {
  return parts
    .filter((p): p is Extract<Part, { type: "text" }> => p.type === "text" && !REMINDER.test(p.text))
    .map((p) => p.text)
    .join("\n")
    .trim();
}

export function latestUserInput(conversation: Conversation): LatestUserInput {
  const last = conversation.turns.findLast((turn) => turn.role !== "system");
  if (last?.role !== "user") return { kind: "none" };
  const results = last.parts.filter(
    (p): p is Extract<Part, { type: "tool_result" }> => p.type === "tool_result",
  );
  if (results.length > 0) return { kind: "tool_results", results };
  const text = promptText(last.parts);
  return text ? { kind: "prompt", text } : { kind: "none" };
}

/** The tool call a result answers. */
export function findToolCall(
  conversation: Conversation,
  id: string,
): Extract<Part, { type: "tool_call" }> | undefined {
  for (const turn of conversation.turns) {
    for (const part of turn.parts) if (part.type === "tool_call" && part.id === id) return part;
  }
  return undefined;
}

/**
 * The agent's working directory as it states it, when it does: Claude Code 2.1 writes "Primary
 * working directory: /abs/path" in a reminder of the first user message (older versions:
 * "Working directory: /abs/path" in the system prompt).
 */
export function statedWorkingDirectory(conversation: Conversation): string | undefined {
  // Codex states it as <cwd>/abs/path</cwd> in its environment context.
  const pattern = /(?:(?:Primary working directory|Working directory):\s*|<cwd>)(\/[^\s<"]*)/;
  const texts = [
    conversation.system,
    ...conversation.turns.flatMap((turn) => turn.parts.map((p) => (p.type === "text" ? p.text : ""))),
  ];
  for (const text of texts) {
    const found = pattern.exec(text)?.[1];
    if (found) return found;
  }
  return undefined;
}

/** Text of a JSON-ish content value: strings as they are, text parts joined, anything else as JSON. */
export function contentText(content: unknown): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map(contentText).join("\n");
  if (typeof content === "object" && "text" in content && typeof content.text === "string")
    return content.text;
  return JSON.stringify(content);
}

/** Top-level property names of a JSON schema, when it has them. */
export function schemaParameters(schema: unknown): string[] {
  if (schema && typeof schema === "object" && "properties" in schema) {
    const properties = schema.properties;
    if (properties && typeof properties === "object") return Object.keys(properties);
  }
  return [];
}
