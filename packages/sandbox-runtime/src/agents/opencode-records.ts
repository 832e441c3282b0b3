/**
 * The records `opencode run --format json` prints (one JSON object a line, each with `type`,
 * `timestamp` and `sessionID`), as loose schemas: only what the parser reads is checked, so fields
 * the CLI adds later do not break it. Facts: fixtures/opencode-*.jsonl (opencode 1.18.33).
 *
 * - `step_start` / `step_finish`: one model call; the finish carries that call's tokens and cost
 *   and why it stopped (`tool-calls` means another step follows).
 * - `text`: a finished text part of the assistant's reply (no deltas in this mode).
 * - `tool_use`: a tool call once it has finished (`state.status` completed or error), start and
 *   result in one record.
 * - `error`: the session failed (`error.name`, `error.data.message`, `statusCode` for API errors).
 */
import { z } from "zod";

const count = z.number().nonnegative().catch(0).default(0);

export const Line = z.looseObject({ type: z.string(), sessionID: z.string().min(1).optional() });

export const TextLine = z.looseObject({
  part: z.looseObject({ id: z.string().min(1), text: z.string() }),
});

export const ToolUseLine = z.looseObject({
  part: z.looseObject({
    id: z.string().min(1),
    callID: z.string().min(1).optional(),
    tool: z.string().min(1),
    state: z.looseObject({
      status: z.string(),
      input: z.unknown().optional(),
      output: z.unknown().optional(),
      error: z.unknown().optional(),
      metadata: z.looseObject({ exit: z.number().nullish() }).nullish(),
    }),
  }),
});

export const StepFinishLine = z.looseObject({
  part: z.looseObject({
    reason: z.string().optional(),
    cost: z.number().nonnegative().catch(0).optional(),
    // Malformed figures make the call's usage unknown, not the record unreadable (it still ends the turn).
    tokens: z
      .looseObject({
        input: count,
        output: count,
        reasoning: count,
        cache: z.looseObject({ read: count, write: count }).catch({ read: 0, write: 0 }).optional(),
      })
      .optional()
      .catch(undefined),
  }),
});

export const ErrorLine = z.looseObject({
  error: z.looseObject({
    name: z.string().optional(),
    data: z
      .looseObject({
        message: z.string().optional(),
        statusCode: z.number().int().optional(),
        isRetryable: z.boolean().optional(),
      })
      .optional(),
  }),
});

/** A tool's output or error as text: strings as they are, anything else as JSON. */
export function toolText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
