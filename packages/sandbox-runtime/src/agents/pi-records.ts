/**
 * The records Pi prints with `--mode json` (one JSON object a line; docs/json.md of
 * @mariozechner/pi-coding-agent), as loose schemas: only what the parser reads is checked, and
 * Pi adds fields often. Facts: fixtures/pi-*.jsonl.
 */
import { z } from "zod";

const count = z.number().nonnegative().catch(0).default(0);

export const Line = z.looseObject({ type: z.string() });

/** The first line: the session header, re-printed unchanged when a session is resumed. */
export const SessionLine = z.looseObject({ id: z.string().min(1) });

export const TextContent = z.looseObject({ type: z.literal("text"), text: z.string() });

export const Usage = z.looseObject({
  input: count,
  output: count,
  cacheRead: count,
  cacheWrite: count,
  cost: z.looseObject({ total: count }).nullish(),
});

/** An assistant message as message_start/message_end/turn_end carry it. */
export const AssistantMessage = z.looseObject({
  role: z.literal("assistant"),
  content: z.array(z.looseObject({ type: z.string() })).catch([]),
  api: z.string().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
  usage: Usage.nullish(),
  stopReason: z.string().optional(),
  errorMessage: z.string().nullish(),
});

/** message_start / message_end: the message may be a user, assistant or tool result message. */
export const MessageLine = z.looseObject({ message: z.looseObject({ role: z.string() }) });

export const MessageUpdateLine = z.looseObject({
  assistantMessageEvent: z.looseObject({ type: z.string(), delta: z.string().optional() }),
});

export const TurnEndLine = z.looseObject({ message: z.looseObject({ role: z.string() }).nullish() });

export const ToolStartLine = z.looseObject({
  toolCallId: z.string().min(1),
  toolName: z.string(),
  args: z.unknown(),
});

export const ToolEndLine = z.looseObject({
  toolCallId: z.string().min(1),
  toolName: z.string().optional(),
  result: z.unknown(),
  isError: z.boolean().nullish(),
});

/** Pi's own retry of a failed model call (only when `retry.enabled`; Nightshift turns it off). */
export const RetryStartLine = z.looseObject({
  attempt: z.number().optional(),
  maxAttempts: z.number().optional(),
  delayMs: z.number().optional(),
  errorMessage: z.string().optional(),
});

export const CompactionEndLine = z.looseObject({
  aborted: z.boolean().optional(),
  errorMessage: z.string().nullish(),
});

/** A tool result's text: its text blocks joined (images and other blocks are named, not inlined). */
export function toolResultText(result: unknown): string {
  if (typeof result === "string") return result;
  const content = (result as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(content)) return result === undefined || result === null ? "" : JSON.stringify(result);
  return content
    .map((block) => {
      const text = TextContent.safeParse(block);
      if (text.success) return text.data.text;
      const type = (block as { type?: unknown } | null)?.type;
      return `[${typeof type === "string" ? type : "content"}]`;
    })
    .join("\n");
}

const ApiErrorBody = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string() })]),
});

/**
 * A failed model call as Pi reports it in `errorMessage`: the provider SDKs put the HTTP status
 * first ("401 {…json body…}", "401 Incorrect API key provided"); without an answer there is no
 * status ("Connection error."). The text is the API's own message when the body is JSON.
 */
export function modelCallFailure(errorMessage: string): { status?: number; text: string } {
  const match = /^\s*(\d{3})\b\s*/.exec(errorMessage);
  const code = match ? Number(match[1]) : undefined;
  const status = code !== undefined && code >= 400 && code <= 599 ? code : undefined;
  const rest = status === undefined ? errorMessage.trim() : errorMessage.slice(match![0].length).trim();
  let body: unknown;
  try {
    body = JSON.parse(rest);
  } catch {
    body = undefined;
  }
  const parsed = ApiErrorBody.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  const text = typeof error === "string" ? error : (error?.message ?? rest);
  return { ...(status !== undefined ? { status } : {}), text };
}
