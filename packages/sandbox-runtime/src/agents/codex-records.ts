/**
 * The records `codex exec --json` prints (one JSON object a line), as loose schemas: the CLI adds
 * fields often; only what the parser reads is checked. Facts: fixtures/codex-*.jsonl.
 *
 *   thread.started {thread_id}            the session id (`codex exec resume <id>`)
 *   turn.started | turn.completed {usage} | turn.failed {error: {message}}
 *   item.started | item.updated | item.completed {item: {id, type, ...}}
 *   error {message}                       "Reconnecting... n/N (...)" while retrying; else fatal
 */
import { z } from "zod";

export const Line = z.looseObject({ type: z.string() });

export const ThreadStarted = z.looseObject({ thread_id: z.string().min(1) });

const count = z.number().nonnegative().catch(0).default(0);

/** Thread-cumulative token counts (`turn.completed.usage`, the rollout's `total_token_usage`). */
export const TokenUsage = z.looseObject({
  input_tokens: count,
  cached_input_tokens: count,
  cache_write_input_tokens: count,
  output_tokens: count,
  reasoning_output_tokens: count,
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const TurnCompleted = z.looseObject({ usage: TokenUsage.nullish() });
export const TurnFailed = z.looseObject({
  error: z.looseObject({ message: z.string().nullish() }).nullish(),
});
export const ErrorLine = z.looseObject({ message: z.string().nullish() });

export const ItemLine = z.looseObject({
  item: z.looseObject({ id: z.string().min(1), type: z.string() }),
});

export const AgentMessageItem = z.looseObject({ text: z.string() });
export const CommandItem = z.looseObject({
  command: z.string().nullish(),
  aggregated_output: z.string().nullish(),
  exit_code: z.number().nullish(),
  status: z.string().nullish(),
});
export const FileChangeItem = z.looseObject({
  changes: z
    .array(z.looseObject({ path: z.string(), kind: z.string().nullish() }))
    .nullish()
    .catch(null),
  status: z.string().nullish(),
});
export const McpToolCallItem = z.looseObject({
  server: z.string().nullish(),
  tool: z.string().nullish(),
  arguments: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.looseObject({ message: z.string().nullish() }).nullish().catch(null),
  status: z.string().nullish(),
});
export const WebSearchItem = z.looseObject({ query: z.string().nullish() });
export const ErrorItem = z.looseObject({ message: z.string().nullish() });

/** A rollout line carrying the thread's running token total (`event_msg` / `token_count`). */
export const RolloutTokenCount = z.looseObject({
  type: z.literal("event_msg"),
  payload: z.looseObject({
    type: z.literal("token_count"),
    info: z.looseObject({ total_token_usage: TokenUsage }).nullish(),
  }),
});

/** "Reconnecting... 2/5 (...)" and "Reconnecting... waiting for network (...)": the CLI is retrying. */
export function isRetryNotice(message: string): boolean {
  return /^\s*Re-?connecting\b/i.test(message);
}

/**
 * The HTTP status in a model API failure as Codex words it: "unexpected status 401 Unauthorized:
 * …", "exceeded retry limit, last status: 429 Too Many Requests", or an OpenAI error body whose
 * type names it. Undefined when the text gives none.
 */
export function statusInMessage(message: string): number | undefined {
  const stated = /(?:unexpected status|last status:?)\s+(\d{3})\b/i.exec(message);
  if (stated) return Number(stated[1]);
  if (/"type"\s*:\s*"invalid_request_error"/.test(message)) return 400;
  // Codex replaces a 500's body with its own wording.
  if (/experiencing high demand/i.test(message)) return 500;
  return undefined;
}

/** Codex could not reach the model API at all (connection refused, DNS, TLS). */
export function isConnectionFailure(message: string): boolean {
  return /connection failed|error sending request|stream disconnected before completion/i.test(message);
}
