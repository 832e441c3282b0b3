/**
 * Reads token usage out of a model API response as it passes: SSE event by event (only events that
 * mention usage are parsed), or a JSON body at its end. Each provider reports differently:
 *   Anthropic  message_start.message.usage, then cumulative message_delta.usage
 *   OpenAI     Chat Completions `usage` on the final chunk; Responses `response.completed`.response.usage
 *   Gemini     `usageMetadata` on (the last) chunk, cumulative
 * Inputs are stored without the cached part, so input + cacheRead + cacheCreation is the prompt.
 */
import type { ModelProvider, ModelTokens } from "@nightshift/protocol";

/** A JSON body larger than this is passed on but not read for usage (never the case for real APIs). */
const MAX_JSON_BODY = 8 * 1024 * 1024;
/** An SSE line longer than this is skipped (a pathological stream must not grow memory without bound). */
const MAX_SSE_LINE = 4 * 1024 * 1024;

export interface ObservedUsage extends ModelTokens {
  /** The model the response says answered; null when it did not say. */
  model: string | null;
  /** Whether any usage was reported at all. */
  reported: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;

export class UsageReader {
  private readonly usage: ObservedUsage = {
    model: null,
    reported: false,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
  };
  private readonly decoder = new TextDecoder();
  private pending = "";
  private skippingLine = false;
  private jsonBytes = 0;
  private readonly jsonChunks: string[] = [];

  constructor(
    private readonly provider: ModelProvider,
    private readonly streaming: boolean,
  ) {}

  /** Sees one chunk of the body exactly as it goes to the client. */
  push(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    if (!this.streaming) {
      this.jsonBytes += chunk.byteLength;
      if (this.jsonBytes <= MAX_JSON_BODY) this.jsonChunks.push(text);
      return;
    }
    this.pending += text;
    let newline = this.pending.indexOf("\n");
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (this.skippingLine) this.skippingLine = false;
      else this.line(line);
      newline = this.pending.indexOf("\n");
    }
    if (this.pending.length > MAX_SSE_LINE) {
      this.pending = "";
      this.skippingLine = true;
    }
  }

  /** The body ended: whatever usage was seen. */
  finish(): ObservedUsage {
    const rest = this.decoder.decode();
    if (this.streaming) {
      if (!this.skippingLine) this.line(this.pending + rest);
      this.pending = "";
    } else if (this.jsonBytes <= MAX_JSON_BODY) {
      this.jsonChunks.push(rest);
      try {
        this.event(JSON.parse(this.jsonChunks.join("")));
      } catch {
        // Not JSON (an HTML error page from a proxy): nothing to count.
      }
    }
    return { ...this.usage };
  }

  private line(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.startsWith("data:")) return;
    // Only events that can carry usage or the model's name are worth parsing.
    if (!line.includes("usage") && !line.includes('"model')) return;
    try {
      this.event(JSON.parse(line.slice(5).trim()));
    } catch {
      // `data: [DONE]` and anything else that is not JSON.
    }
  }

  private event(data: unknown): void {
    if (!isObject(data)) return;
    if (this.provider === "anthropic") this.anthropic(data);
    else if (this.provider === "openai") this.openai(data);
    else this.gemini(data);
  }

  private setModel(model: unknown): void {
    if (typeof model === "string" && model && !this.usage.model) this.usage.model = model.slice(0, 200);
  }

  /** Sets each field the report names; a later report of the same field replaces the earlier one. */
  private take(fields: Partial<ModelTokens>): void {
    for (const [key, value] of Object.entries(fields) as [keyof ModelTokens, number | undefined][]) {
      if (value === undefined) continue;
      this.usage[key] = value;
      this.usage.reported = true;
    }
  }

  private anthropic(data: Json): void {
    const message = isObject(data.message) ? data.message : data;
    this.setModel(message.model);
    const usage = isObject(message.usage) ? message.usage : isObject(data.usage) ? data.usage : null;
    if (!usage) return;
    this.take({
      inputTokens: count(usage.input_tokens),
      outputTokens: count(usage.output_tokens),
      cacheReadTokens: count(usage.cache_read_input_tokens),
      cacheCreationTokens: count(usage.cache_creation_input_tokens),
    });
  }

  private openai(data: Json): void {
    const response = isObject(data.response) ? data.response : data;
    this.setModel(response.model);
    const usage = isObject(response.usage) ? response.usage : null;
    if (!usage) return;
    // Chat Completions says prompt/completion, Responses says input/output; both nest cached tokens.
    const input = count(usage.prompt_tokens) ?? count(usage.input_tokens);
    const details = isObject(usage.prompt_tokens_details)
      ? usage.prompt_tokens_details
      : isObject(usage.input_tokens_details)
        ? usage.input_tokens_details
        : {};
    const cached = count(details.cached_tokens) ?? 0;
    this.take({
      inputTokens: input === undefined ? undefined : Math.max(0, input - cached),
      outputTokens: count(usage.completion_tokens) ?? count(usage.output_tokens),
      cacheReadTokens: cached,
    });
  }

  private gemini(data: Json): void {
    this.setModel(data.modelVersion);
    const usage = isObject(data.usageMetadata) ? data.usageMetadata : null;
    if (!usage) return;
    const prompt = count(usage.promptTokenCount);
    const cached = count(usage.cachedContentTokenCount) ?? 0;
    const candidates = count(usage.candidatesTokenCount);
    const thoughts = count(usage.thoughtsTokenCount) ?? 0;
    this.take({
      inputTokens: prompt === undefined ? undefined : Math.max(0, prompt - cached),
      outputTokens: candidates === undefined ? undefined : candidates + thoughts,
      cacheReadTokens: cached,
    });
  }
}

/**
 * Passes the body through unchanged, chunk for chunk as it arrives (nothing is held back), while
 * the reader looks at each chunk. `done` settles when the body ended, failed or was cancelled.
 */
export function observeBody(
  body: ReadableStream<Uint8Array>,
  reader: UsageReader,
): { body: ReadableStream<Uint8Array>; done: Promise<ObservedUsage> } {
  let settle: (usage: ObservedUsage) => void = () => {};
  const done = new Promise<ObservedUsage>((resolve) => {
    settle = resolve;
  });
  const observer = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      reader.push(chunk);
    },
    flush() {
      settle(reader.finish());
    },
  });
  // A client that goes away (or an upstream that breaks) still gets what was counted so far recorded.
  body.pipeTo(observer.writable).catch(() => settle(reader.finish()));
  return { body: observer.readable, done };
}
