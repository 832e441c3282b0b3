/**
 * The records Gemini CLI prints with `--output-format stream-json`, as loose schemas (only what the
 * parser reads is checked), and the reading of its failure texts. Facts: fixtures/gemini-*.jsonl.
 *
 *   init         {session_id, model}
 *   message      {role: "user"|"assistant", content, delta?: true}   assistant text comes as deltas only
 *   tool_use     {tool_name, tool_id, parameters}
 *   tool_result  {tool_id, status: "success"|"error", output?, error?: {type, message}}
 *   error        {severity: "warning"|"error", message}              not terminal by itself
 *   result       {status: "success"|"error", error?: {type, message}, stats}   the terminal record
 */
import { z } from "zod";

export const Line = z.looseObject({ type: z.string(), session_id: z.string().min(1).optional() });
export const MessageLine = z.looseObject({
  role: z.string(),
  content: z.string(),
  delta: z.boolean().nullish(),
});
export const ToolUseLine = z.looseObject({
  tool_name: z.string().min(1),
  tool_id: z.string().min(1),
  parameters: z.unknown().optional(),
});
export const ToolResultLine = z.looseObject({
  tool_id: z.string().min(1),
  status: z.string(),
  output: z.string().nullish(),
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
});
export const ErrorLine = z.looseObject({ severity: z.string().optional(), message: z.string() });

const count = z.number().nonnegative().catch(0).default(0);
const Tokens = z.looseObject({
  total_tokens: count,
  input_tokens: count,
  output_tokens: count,
  cached: count,
  input: count,
});
export type Tokens = z.infer<typeof Tokens>;
export const ResultLine = z.looseObject({
  status: z.string(),
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
  stats: Tokens.extend({ models: z.record(z.string(), Tokens).catch({}).default({}) }).nullish(),
});
export type ResultLine = z.infer<typeof ResultLine>;

/** Google's error body, which Gemini CLI quotes inside "[API Error: …]" for most statuses. */
const GoogleErrorBody = z.object({
  error: z.looseObject({ code: z.number().int(), message: z.string().optional() }),
});

/** What Gemini CLI appends to a 429 (it no longer quotes the status then). */
const RATE_LIMIT_SUFFIX = /Please wait and try again later\. To increase your limits/;

export interface ApiFailure {
  status?: number;
  /** The provider's own words, without the CLI's wrapping. */
  text: string;
}

/**
 * Reads "[API Error: …]" as Gemini CLI reports a failed model call: a quoted Google error body
 * gives the status; the rate-limit advice marks a 429. Undefined when the text is not an API error.
 */
export function apiFailureOf(message: string): ApiFailure | undefined {
  const wrapped = /^\[API Error: ([\s\S]*)\]/.exec(message.trim());
  if (!wrapped) return undefined;
  const inner = wrapped[1]!.trim();
  const body = GoogleErrorBody.safeParse(parseJson(inner));
  if (body.success) return { status: body.data.error.code, text: body.data.error.message ?? inner };
  const statusNoted = /^(.*) \(Status: [A-Z_]+\)$/s.exec(inner);
  const text = statusNoted ? statusNoted[1]! : inner;
  return RATE_LIMIT_SUFFIX.test(message) ? { status: 429, text } : { text };
}

/**
 * The HTTP status in Gemini CLI's stderr report of a failed model call: the error it prints ends
 * with `status: 503` (or `code: 404` for a model it could not find). Only a 4xx/5xx counts.
 */
export function stderrStatusOf(line: string): number | undefined {
  const match = /^\s*(?:status|code): (\d{3}),?\s*$/.exec(line);
  const status = match ? Number(match[1]) : undefined;
  return status !== undefined && status >= 400 && status <= 599 ? status : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
