import { describe, expect, it } from "vitest";
import { shapeCall } from "./call-shape";

const anthropic = JSON.stringify({ model: "claude-sonnet-4-5", stream: true, messages: [] });

describe("call shape", () => {
  it("passes an Anthropic body on byte for byte and reads its model only when asked", () => {
    const shaped = shapeCall("anthropic", "POST", "/v1/messages", anthropic);
    if (!shaped.ok) throw new Error(shaped.message);
    expect(shaped.call.body).toBe(anthropic);
    expect(shaped.call.metered).toBe(true);
    expect(shaped.call.requestedModel()).toBe("claude-sonnet-4-5");
  });

  it("leaves a body it need not change to the provider to validate, and names no model for it", () => {
    const shaped = shapeCall("anthropic", "POST", "/v1/messages", "{not json");
    expect(shaped).toMatchObject({ ok: true, call: { body: "{not json", metered: true } });
    if (shaped.ok) expect(shaped.call.requestedModel()).toBeNull();
  });

  it("takes Gemini's model from the path", () => {
    const shaped = shapeCall("gemini", "POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent", "{}");
    if (!shaped.ok) throw new Error(shaped.message);
    expect(shaped.call.requestedModel()).toBe("gemini-2.5-pro");
  });

  it("does not meter token counting, model lists or calls without a body", () => {
    expect(shapeCall("anthropic", "POST", "/v1/messages/count_tokens", anthropic)).toMatchObject({
      call: { metered: false },
    });
    expect(shapeCall("gemini", "POST", "/v1beta/models/gemini-2.5-pro:countTokens", "{}")).toMatchObject({
      call: { metered: false },
    });
    expect(shapeCall("openai", "GET", "/v1/models", undefined)).toMatchObject({
      call: { metered: false, body: undefined },
    });
  });

  it("asks a streamed Chat Completions call for its usage, keeping the client's other stream options", () => {
    const body = JSON.stringify({ model: "gpt-5", stream: true, stream_options: { x: 1 }, messages: [] });
    const shaped = shapeCall("openai", "POST", "/v1/chat/completions", body);
    if (!shaped.ok) throw new Error(shaped.message);
    expect(JSON.parse(shaped.call.body ?? "")).toMatchObject({
      stream_options: { x: 1, include_usage: true },
    });
    expect(shaped.call.requestedModel()).toBe("gpt-5");
    const unstreamed = JSON.stringify({ model: "gpt-5", messages: [] });
    expect(shapeCall("openai", "POST", "/v1/chat/completions", unstreamed)).toMatchObject({
      call: { body: unstreamed },
    });
  });

  it("refuses a Chat Completions body it cannot read, with a message", () => {
    expect(shapeCall("openai", "POST", "/v1/chat/completions", "[1]")).toEqual({
      ok: false,
      message: "the request body must be a JSON object",
    });
    expect(shapeCall("openai", "POST", "/v1/chat/completions", "{")).toEqual({
      ok: false,
      message: "the request body is not valid JSON",
    });
  });
});
