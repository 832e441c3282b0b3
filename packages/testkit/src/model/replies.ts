/**
 * The script language of the scripted model: one `Reply` answers one model call. Replies are
 * validated when enqueued, so a typo in a test fails at the line that wrote it, not as a
 * confusing stream later.
 */
import { z } from "zod";

/** Wait before answering (ms): makes a call slow enough to cancel or time out. */
const delayMs = z.number().int().nonnegative().max(600_000).optional();

export const TextReply = z.object({
  kind: z.literal("text"),
  text: z.string(),
  /** Stream the text in this many deltas (1 by default). */
  chunks: z.number().int().positive().max(10_000).optional(),
  /** Pause between two deltas (ms), to watch streaming happen. */
  chunkDelayMs: z.number().int().nonnegative().max(60_000).optional(),
  delayMs,
});

export const ToolReply = z.object({
  kind: z.literal("tool"),
  /** The tool's name as the agent CLI offers it (e.g. Claude Code's "Bash", "Write"). */
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  /** The tool_use id; generated (`toolu_scripted_N`) when absent. */
  id: z.string().min(1).optional(),
  /** Text the model says before calling the tool. */
  text: z.string().optional(),
  delayMs,
});

export const ErrorReply = z.object({
  kind: z.literal("error"),
  status: z.number().int().min(400).max(599),
  /** The API error type; derived from the status when absent (401 → authentication_error...). */
  type: z.string().min(1).optional(),
  message: z.string().default("scripted error"),
  delayMs,
});

export const Reply = z.discriminatedUnion("kind", [TextReply, ToolReply, ErrorReply]);
export type Reply = z.infer<typeof Reply>;
export type ReplyInput = z.input<typeof Reply>;
export type TextReply = z.infer<typeof TextReply>;
export type ToolReply = z.infer<typeof ToolReply>;
export type ErrorReply = z.infer<typeof ErrorReply>;

/** Validates a reply, naming the bad field in the thrown message. */
export function parseReply(input: unknown): Reply {
  const result = Reply.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".") || "(reply)"}: ${i.message}`);
  throw new TypeError(`invalid scripted reply: ${issues.join("; ")}`);
}

/** The error type the real API uses for each status. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}
