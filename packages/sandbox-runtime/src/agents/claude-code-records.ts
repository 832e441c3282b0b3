/**
 * The records Claude Code prints with `--output-format stream-json --verbose
 * --include-partial-messages`, as loose schemas (the CLI adds fields often; only what the parser
 * reads is checked), and the reading of a tool_result's content. Facts: fixtures/claude-*.jsonl.
 */
import { z } from "zod";

export const TextBlock = z.object({ type: z.literal("text"), text: z.string() });
export const ToolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string(),
  input: z.unknown(),
});
export const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.unknown().optional(),
  is_error: z.boolean().nullish(),
});

export const Line = z.looseObject({ type: z.string(), session_id: z.string().optional() });
export const SystemLine = z.looseObject({
  subtype: z.string().optional(),
  attempt: z.number().optional(),
  max_retries: z.number().optional(),
  retry_delay_ms: z.number().optional(),
  error_status: z.number().nullish(),
  error: z.string().nullish(),
});
export const StreamEventLine = z.looseObject({
  parent_tool_use_id: z.string().nullish(),
  api_message_id: z.string().nullish(),
  event: z.looseObject({
    type: z.string(),
    message: z.looseObject({ id: z.string() }).optional(),
    delta: z.looseObject({ type: z.string(), text: z.string().optional() }).optional(),
  }),
});
export const AssistantLine = z.looseObject({
  parent_tool_use_id: z.string().nullish(),
  error: z.string().nullish(),
  api_error_status: z.number().nullish(),
  is_api_error_message: z.boolean().nullish(),
  message: z.looseObject({
    id: z.string().min(1),
    model: z.string().optional(),
    content: z.array(z.looseObject({ type: z.string() })),
  }),
});
export const UserLine = z.looseObject({
  message: z.looseObject({ content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]) }),
});
const count = z.number().nonnegative().catch(0).default(0);
export const ResultLine = z.looseObject({
  subtype: z.string().optional(),
  is_error: z.boolean().nullish(),
  result: z.string().nullish(),
  errors: z.array(z.string()).nullish(),
  api_error_status: z.number().nullish(),
  total_cost_usd: z.number().nullish(),
  usage: z
    .looseObject({
      input_tokens: count,
      output_tokens: count,
      cache_read_input_tokens: count,
      cache_creation_input_tokens: count,
    })
    .nullish(),
  model_usage_since_last_result: z.record(z.string(), z.looseObject({ costUSD: count })).nullish(),
});

/** The text of a tool_result's content: a string, or text blocks (images are named, not inlined). */
export function toolOutputText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? "" : JSON.stringify(content);
  return content
    .map((block) => {
      const text = TextBlock.safeParse(block);
      if (text.success) return text.data.text;
      const type = (block as { type?: unknown })?.type;
      return `[${typeof type === "string" ? type : "content"}]`;
    })
    .join("\n");
}

/** Claude Code appends reminders for the model to some tool results; they are not the tool's output. */
export function withoutReminders(text: string): string {
  return text.replace(/\s*<system-reminder>[\s\S]*?<\/system-reminder>\s*/g, "\n").trim();
}
