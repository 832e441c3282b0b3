/**
 * What the gateway must know about a model call before it forwards it: whether it is metered
 * (generates tokens) and, for one API only, a body it has to change. The body is otherwise passed
 * on as it came, unparsed: an agent's request carries its whole conversation and tool list (tens
 * to hundreds of KB), and parsing it before the upstream call would sit on every call's path to
 * its first token. The provider validates its own request bodies and answers in its own shape.
 * The model the request names is read only when the answer did not name one, after the answer.
 */
import type { ModelProvider } from "@nightshift/protocol";
import { PROVIDERS } from "./providers";

export interface ModelCall {
  body: string | undefined;
  /** Generates tokens (and so is metered and capped); token counting and model listing are not. */
  metered: boolean;
  /** The model the request names (the path for Gemini, else the body's `model`); parsed on demand. */
  requestedModel(): string | null;
}

export type CallShape = { ok: true; call: ModelCall } | { ok: false; message: string };

const CHAT_COMPLETIONS = "/v1/chat/completions";

function jsonObject(text: string): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return "the request body must be a JSON object";
    return parsed as Record<string, unknown>;
  } catch {
    return "the request body is not valid JSON";
  }
}

function modelNamedIn(text: string): string | null {
  const json = jsonObject(text);
  return typeof json === "object" && typeof json.model === "string" ? json.model : null;
}

/**
 * Chat Completions streams report usage only when asked; the gateway asks, so every call is
 * metered. This is the one body the gateway changes, and so the one it parses before forwarding.
 */
function withStreamUsage(text: string): CallShape {
  const json = jsonObject(text);
  if (typeof json === "string") return { ok: false, message: json };
  const model = typeof json.model === "string" ? json.model : null;
  let body = text;
  if (json.stream === true) {
    const options = (typeof json.stream_options === "object" && json.stream_options) || {};
    if ((options as Record<string, unknown>).include_usage !== true)
      body = JSON.stringify({ ...json, stream_options: { ...options, include_usage: true } });
  }
  return { ok: true, call: { body, metered: true, requestedModel: () => model } };
}

export function shapeCall(
  provider: ModelProvider,
  method: string,
  path: string,
  text: string | undefined,
): CallShape {
  if (method !== "POST" || text === undefined)
    return { ok: true, call: { body: undefined, metered: false, requestedModel: () => null } };
  if (provider === "openai" && path === CHAT_COMPLETIONS) return withStreamUsage(text);
  const counting = path.endsWith("/count_tokens") || path.endsWith(":countTokens");
  const fromPath = PROVIDERS[provider].modelFromPath(path);
  return {
    ok: true,
    call: {
      body: text,
      metered: !counting,
      requestedModel: () => fromPath ?? modelNamedIn(text),
    },
  };
}
