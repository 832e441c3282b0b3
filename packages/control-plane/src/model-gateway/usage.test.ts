/** UsageReader on each provider's reports, fed in awkward chunks (events split mid-line, CRLF, cache tokens). */
import { describe, expect, it } from "vitest";
import { observeBody, UsageReader } from "./usage";

const encoder = new TextEncoder();

function feed(reader: UsageReader, text: string, chunkSize: number) {
  for (let i = 0; i < text.length; i += chunkSize) reader.push(encoder.encode(text.slice(i, i + chunkSize)));
  return reader.finish();
}

const sse = (events: unknown[], eol = "\n") =>
  events.map((e) => `event: x${eol}data: ${JSON.stringify(e)}${eol}${eol}`).join("");

describe("UsageReader", () => {
  it("Anthropic: message_start input and cache tokens, the last message_delta's output, split anywhere", () => {
    const stream = sse(
      [
        {
          type: "message_start",
          message: {
            model: "claude-opus-4-5-20251101",
            usage: {
              input_tokens: 12,
              cache_read_input_tokens: 3000,
              cache_creation_input_tokens: 450,
              output_tokens: 1,
            },
          },
        },
        { type: "content_block_delta", delta: { type: "text_delta", text: "hi" } },
        { type: "message_delta", usage: { output_tokens: 7 } },
        { type: "message_delta", usage: { output_tokens: 42 } },
      ],
      "\r\n",
    );
    for (const size of [1, 7, 64, stream.length]) {
      expect(feed(new UsageReader("anthropic", true), stream, size)).toEqual({
        model: "claude-opus-4-5-20251101",
        reported: true,
        inputTokens: 12,
        outputTokens: 42,
        cacheReadTokens: 3000,
        cacheCreationTokens: 450,
      });
    }
  });

  it("OpenAI: cached prompt tokens are counted as cache reads, not twice as input", () => {
    const chat = `${sse([
      { model: "gpt-5", choices: [{ delta: { content: "x" } }] },
      {
        model: "gpt-5",
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 60 } },
      },
    ])}data: [DONE]\n\n`;
    expect(feed(new UsageReader("openai", true), chat, 5)).toMatchObject({
      model: "gpt-5",
      inputTokens: 40,
      outputTokens: 9,
      cacheReadTokens: 60,
    });
    const responses = JSON.stringify({
      model: "gpt-5-mini",
      usage: { input_tokens: 30, output_tokens: 4, input_tokens_details: { cached_tokens: 10 } },
    });
    expect(feed(new UsageReader("openai", false), responses, 3)).toMatchObject({
      inputTokens: 20,
      outputTokens: 4,
      cacheReadTokens: 10,
    });
  });

  it("Gemini: the last usageMetadata wins; thoughts count as output", () => {
    const stream = sse([
      { modelVersion: "gemini-2.5-pro", usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 1 } },
      {
        usageMetadata: {
          promptTokenCount: 50,
          candidatesTokenCount: 8,
          thoughtsTokenCount: 20,
          cachedContentTokenCount: 30,
        },
      },
    ]);
    expect(feed(new UsageReader("gemini", true), stream, 11)).toMatchObject({
      model: "gemini-2.5-pro",
      inputTokens: 20,
      outputTokens: 28,
      cacheReadTokens: 30,
    });
  });

  it("a body without usage (an HTML error page) reports nothing", () => {
    expect(feed(new UsageReader("anthropic", false), "<html>bad gateway</html>", 4).reported).toBe(false);
  });

  it("observeBody hands every chunk on unchanged and settles with the usage at the end", async () => {
    const chunks = [
      'data: {"type":"message_start","message":{"usage":{"input_tokens":5}}}\n',
      "\n",
      "data: x\n\n",
    ];
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(encoder.encode(c));
        controller.close();
      },
    });
    const observed = observeBody(source, new UsageReader("anthropic", true));
    expect(await new Response(observed.body).text()).toBe(chunks.join(""));
    expect((await observed.done).inputTokens).toBe(5);
  });
});
