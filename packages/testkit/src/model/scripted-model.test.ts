import { createParser, type EventSourceMessage } from "eventsource-parser";
import { afterEach, describe, expect, it } from "vitest";
import { type ScriptedModel, type ScriptedModelOptions, startScriptedModel } from "./scripted-model";

const servers: ScriptedModel[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: ScriptedModelOptions = {}) {
  const model = await startScriptedModel(options);
  servers.push(model);
  return model;
}

const conversation = {
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  stream: true,
  messages: [{ role: "user", content: "Say hello" }],
};

function post(model: ScriptedModel, body: unknown, headers: Record<string, string> = { "x-api-key": "k" }) {
  return fetch(`${model.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Reads a whole SSE response with a real SSE parser; returns the events with parsed data. */
async function readSse(response: Response) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      events.push({ event: message.event ?? "message", data: JSON.parse(message.data) });
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
  return events;
}

describe("scripted model: streaming", () => {
  it("streams a text reply in Anthropic's SSE format, in the requested number of deltas", async () => {
    const model = await start();
    model.enqueue({ kind: "text", text: "Hello from the script.", chunks: 3 });
    const response = await post(model, conversation);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(response);

    expect(events[0]!.event).toBe("message_start");
    expect(events.at(-1)!.event).toBe("message_stop");
    for (const e of events) expect(e.data.type).toBe(e.event);
    const opened = events[0]!.data.message as {
      id: string;
      role: string;
      model: string;
      usage: { input_tokens: number };
    };
    expect(opened.role).toBe("assistant");
    expect(opened.model).toBe("claude-sonnet-4-5");
    expect(opened.id).toMatch(/^msg_/);
    const deltas = events.filter((e) => e.event === "content_block_delta");
    expect(deltas).toHaveLength(3);
    expect(deltas.map((e) => (e.data.delta as { text: string }).text).join("")).toBe(
      "Hello from the script.",
    );
    const end = events.find((e) => e.event === "message_delta")!.data as {
      delta: { stop_reason: string };
      usage: { output_tokens: number };
    };
    expect(end.delta.stop_reason).toBe("end_turn");
    expect(end.usage.output_tokens).toBe(Math.ceil("Hello from the script.".length / 4));
  });

  it("derives input tokens from the request size", async () => {
    const model = await start();
    const small = await readSse(await post(model, conversation));
    const bigger = { ...conversation, messages: [{ role: "user", content: "x".repeat(4000) }] };
    const large = await readSse(await post(model, bigger));
    const inputOf = (events: typeof small) =>
      (events[0]!.data.message as { usage: { input_tokens: number } }).usage.input_tokens;
    expect(inputOf(small)).toBeGreaterThan(0);
    expect(inputOf(large)).toBeGreaterThan(inputOf(small) + 900);
  });

  it("streams a tool call whose input_json_delta pieces join into the input", async () => {
    const model = await start();
    model.enqueue({ kind: "tool", name: "Bash", input: { command: "echo hi", description: "greet" } });
    const events = await readSse(await post(model, conversation));
    const startBlock = events.find((e) => e.event === "content_block_start")!.data.content_block as {
      type: string;
      id: string;
      name: string;
    };
    expect(startBlock).toMatchObject({ type: "tool_use", name: "Bash" });
    expect(startBlock.id).toMatch(/^toolu_/);
    const json = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as { type: string; partial_json: string }).partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ command: "echo hi", description: "greet" });
    const end = events.find((e) => e.event === "message_delta")!.data as { delta: { stop_reason: string } };
    expect(end.delta.stop_reason).toBe("tool_use");
  });

  it("answers an empty queue with Done., and stream:false with a JSON message", async () => {
    const model = await start();
    const response = await post(model, { ...conversation, stream: false });
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as {
      type: string;
      content: { text: string }[];
      stop_reason: string;
    };
    expect(body.type).toBe("message");
    expect(body.content[0]!.text).toBe("Done.");
    expect(body.stop_reason).toBe("end_turn");
  });

  it("drives an autopilot Write turn when enabled and nothing is queued", async () => {
    const model = await start({ autopilot: true });
    const body = { ...conversation, stream: false, tools: [{ name: "Write" }] };
    const reply = (await (await post(model, body)).json()) as {
      content: { type: string; input?: unknown }[];
    };
    expect(reply.content.at(-1)).toMatchObject({ type: "tool_use", input: { file_path: "NIGHTSHIFT.md" } });
  });
});

describe("scripted model: errors and auth", () => {
  it.each([
    [401, "authentication_error"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [529, "overloaded_error"],
  ])("a scripted %i error has the real status and error body", async (status, type) => {
    const model = await start();
    model.enqueue({ kind: "error", status, message: "scripted failure" });
    const response = await post(model, conversation);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error).toEqual({ type, message: "scripted failure" });
    if (status === 429) expect(response.headers.get("retry-after")).toBe("1");
  });

  it("enforces the API key when one is set, via x-api-key or Bearer, without consuming the queue", async () => {
    const model = await start({ apiKey: "sk-right" });
    model.enqueue({ kind: "text", text: "secret reply" });
    const wrong = await post(model, conversation, { "x-api-key": "sk-wrong" });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    const missing = await post(model, conversation, {});
    expect(missing.status).toBe(401);
    await missing.arrayBuffer();
    expect(model.queued).toBe(1);
    const bearer = await post(
      model,
      { ...conversation, stream: false },
      { authorization: "Bearer sk-right" },
    );
    expect(bearer.status).toBe(200);
    expect(((await bearer.json()) as { content: { text: string }[] }).content[0]!.text).toBe("secret reply");
  });

  it("rejects malformed requests with invalid_request_error and unknown paths with 404", async () => {
    const model = await start();
    const badJson = await post(model, "{not json");
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const noMessages = await post(model, { model: "m" });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as { error: { message: string } }).error.message).toContain("messages");
    const unknown = await fetch(`${model.url}/v1/complete`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  });

  it("rejects invalid options with the field named", async () => {
    await expect(startScriptedModel({ port: 70_000 })).rejects.toThrow(
      /invalid scripted model options: port/,
    );
  });

  it("drops the queued replies on clearQueue, and answers by default again", async () => {
    const model = await start();
    model.enqueue({ kind: "text", text: "late one" }, { kind: "text", text: "late two" });
    expect(model.clearQueue()).toBe(2);
    expect(model.queued).toBe(0);
    const res = await post(model, { ...conversation, stream: false }, {});
    expect(JSON.stringify(await res.json())).not.toContain("late one");
  });

  it("rejects an invalid reply when it is enqueued", async () => {
    const model = await start();
    expect(() => model.enqueue({ kind: "tool", name: "", input: {} })).toThrow(
      /invalid scripted reply: name/,
    );
    expect(() => model.enqueue({ kind: "error", status: 200 } as never)).toThrow(/status/);
  });
});

describe("scripted model: recording, probes, delays", () => {
  it("answers HEAD with 200 and records every request with headers and parsed body", async () => {
    const model = await start();
    const head = await fetch(`${model.url}/api/hello`, { method: "HEAD" });
    expect(head.status).toBe(200);
    await (await post(model, conversation)).text();
    expect(model.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "HEAD /api/hello",
      "POST /v1/messages?beta=true",
    ]);
    const recorded = model.requests[1]!;
    expect(recorded.headers["anthropic-version"]).toBe("2023-06-01");
    expect(recorded.body).toEqual(conversation);
  });

  it("delays a reply, lets waiters see the request first, and close() ends it", async () => {
    const model = await startScriptedModel();
    model.enqueue({ kind: "text", text: "late", delayMs: 60_000 });
    const pending = post(model, conversation).then(
      (r) => r.text(),
      (error: Error) => error,
    );
    const seen = await model.waitForRequest((r) => r.method === "POST", 5_000);
    expect(seen.path).toBe("/v1/messages?beta=true");
    const started = Date.now();
    await model.close();
    const outcome = await pending;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome).toBeInstanceOf(Error);
  });

  it("waitForRequest fails with a clear message when nothing arrives", async () => {
    const model = await start();
    await expect(model.waitForRequest(() => true, 50)).rejects.toThrow(/within 50 ms/);
  });
});
