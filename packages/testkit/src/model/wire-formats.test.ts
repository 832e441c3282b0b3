/**
 * The non-Anthropic formats (OpenAI Chat Completions, OpenAI Responses, Gemini): requests read
 * into conversations, and answers over real HTTP parsed with a real SSE parser.
 */
import { createParser } from "eventsource-parser";
import { afterEach, describe, expect, it } from "vitest";
import { latestUserInput } from "./conversation";
import { type ScriptedModel, startScriptedModel } from "./scripted-model";
import { wireFor } from "./wire-formats";

const servers: ScriptedModel[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function start(options: Parameters<typeof startScriptedModel>[0] = {}) {
  const model = await startScriptedModel(options);
  servers.push(model);
  return model;
}

async function post(model: ScriptedModel, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${model.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** SSE events of a response: `data` parsed as JSON unless it is not JSON ([DONE]). */
async function readSse(response: Response) {
  const events: { event?: string; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) => {
      let data: unknown = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // kept as text
      }
      events.push({ event: message.event, data });
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
  return events;
}

const conversationOf = (method: string, path: string, body: unknown) => {
  const found = wireFor(method, path)!;
  return found.wire.conversation(body, found.route);
};

describe("OpenAI Chat Completions", () => {
  const path = "/v1/chat/completions";
  const base = { model: "fake-model", messages: [{ role: "user", content: "Say hello" }], stream: true };

  it("streams content deltas, finish_reason, the usage chunk asked for, then [DONE]", async () => {
    const model = await start();
    model.enqueue({ kind: "text", text: "Hello there.", chunks: 3 });
    const events = await readSse(
      await post(model, path, { ...base, stream_options: { include_usage: true } }),
    );
    expect(events.at(-1)!.data).toBe("[DONE]");
    type Chunk = {
      object: string;
      choices: { delta: { content?: string }; finish_reason: string | null }[];
      usage?: unknown;
    };
    const chunks = events.slice(0, -1).map((e) => e.data as Chunk);
    for (const chunk of chunks) expect(chunk.object).toBe("chat.completion.chunk");
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? "")).join("")).toBe(
      "Hello there.",
    );
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual([
      "stop",
    ]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
  });

  it("streams a tool call whose argument pieces join into the input", async () => {
    const model = await start();
    model.enqueue({ kind: "tool", name: "bash", input: { command: "ls" }, id: "call_1" });
    const events = await readSse(await post(model, path, base));
    type Chunk = {
      choices: {
        delta: { tool_calls?: { id?: string; function: { name?: string; arguments: string } }[] };
        finish_reason: string | null;
      }[];
    };
    const calls = events
      .slice(0, -1)
      .flatMap((e) => (e.data as Chunk).choices.flatMap((c) => c.delta.tool_calls ?? []));
    expect(calls[0]).toMatchObject({ id: "call_1", function: { name: "bash" } });
    expect(JSON.parse(calls.map((c) => c.function.arguments).join(""))).toEqual({ command: "ls" });
    expect(events.some((e) => (e.data as Chunk).choices?.[0]?.finish_reason === "tool_calls")).toBe(true);
    expect(events.some((e) => (e.data as { usage?: unknown }).usage)).toBe(false);
  });

  it("answers stream:false with a chat.completion, and errors in OpenAI's shape", async () => {
    const model = await start({ apiKey: "sk-openai" });
    model.enqueue({ kind: "text", text: "whole" });
    const ok = await post(model, path, { ...base, stream: false }, { authorization: "Bearer sk-openai" });
    expect(await ok.json()).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { content: "whole" } }],
    });
    const denied = await post(model, path, base, { authorization: "Bearer nope" });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "invalid_api_key" },
    });
    const invalid = await post(model, path, { model: "m" }, { authorization: "Bearer sk-openai" });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toContain("messages");
  });

  it("reads tool messages as results of the assistant's tool_calls", () => {
    const conversation = conversationOf("POST", path, {
      ...base,
      tools: [
        {
          type: "function",
          function: { name: "write", parameters: { properties: { filePath: {}, content: {} } } },
        },
      ],
      messages: [
        { role: "system", content: "You are OpenCode." },
        { role: "user", content: [{ type: "text", text: "add a.txt" }] },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "function", function: { name: "write", arguments: '{"filePath":"a.txt"}' } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "Wrote file successfully." },
      ],
    });
    expect(conversation.system).toBe("You are OpenCode.");
    expect(conversation.tools).toEqual([{ name: "write", parameters: ["filePath", "content"] }]);
    expect(latestUserInput(conversation)).toEqual({
      kind: "tool_results",
      results: [{ type: "tool_result", id: "c1", content: "Wrote file successfully.", isError: false }],
    });
  });
});

describe("OpenAI Responses", () => {
  const path = "/v1/responses";

  it("streams response.created → output items with deltas → response.completed with usage", async () => {
    const model = await start();
    model.enqueue({ kind: "text", text: "Hello Codex.", chunks: 2 });
    const events = await readSse(
      await post(model, path, { model: "gpt-5.5", input: "Say hello", stream: true }),
    );
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    for (const e of events) expect((e.data as { type: string }).type).toBe(e.event);
    const deltas = events
      .filter((e) => e.event === "response.output_text.delta")
      .map((e) => (e.data as { delta: string }).delta);
    expect(deltas.join("")).toBe("Hello Codex.");
    const done = events.at(-1)!.data as {
      response: { status: string; output: { type: string }[]; usage: { output_tokens: number } };
    };
    expect(done.response.status).toBe("completed");
    expect(done.response.output.map((o) => o.type)).toEqual(["message"]);
    expect(done.response.usage.output_tokens).toBe(3);
  });

  it("streams a function call's arguments and reads its output back in the next request", async () => {
    const model = await start();
    model.enqueue({ kind: "tool", name: "exec_command", input: { cmd: "ls" }, id: "call_7" });
    const events = await readSse(await post(model, path, { model: "gpt-5.5", input: "list", stream: true }));
    const args = events.filter((e) => e.event === "response.function_call_arguments.delta");
    expect(JSON.parse(args.map((e) => (e.data as { delta: string }).delta).join(""))).toEqual({ cmd: "ls" });
    const item = events.find((e) => e.event === "response.output_item.done")!.data as {
      item: { call_id: string };
    };
    expect(item.item.call_id).toBe("call_7");

    const conversation = conversationOf("POST", path, {
      model: "gpt-5.5",
      instructions: "be brief",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "<cwd>/repo</cwd>" }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "list" }] },
        { type: "function_call", call_id: "call_7", name: "exec_command", arguments: '{"cmd":"ls"}' },
        { type: "function_call_output", call_id: "call_7", output: "a.txt" },
      ],
    });
    expect(conversation.system).toBe("be brief");
    expect(latestUserInput(conversation)).toMatchObject({
      kind: "tool_results",
      results: [{ id: "call_7", content: "a.txt" }],
    });
  });
  it("answers a call of a tool offered as freeform (Codex's apply_patch) with a custom_tool_call of raw text", async () => {
    const model = await start();
    const patch = "*** Begin Patch\n*** Add File: hello.txt\n+Hello\n*** End Patch\n";
    model.enqueue({ kind: "tool", name: "apply_patch", input: { input: patch }, id: "call_p" });
    const tools = [
      { type: "custom", name: "apply_patch", format: { type: "grammar" } },
      { type: "function", name: "exec_command", parameters: { properties: { cmd: {} } } },
    ];
    const request = { model: "gpt-5.5", input: "patch", tools, stream: true };
    const events = await readSse(await post(model, path, request));
    const done = events.find((e) => e.event === "response.output_item.done")!.data as {
      item: Record<string, unknown>;
    };
    expect(done.item).toMatchObject({
      type: "custom_tool_call",
      call_id: "call_p",
      name: "apply_patch",
      input: patch,
    });
    const deltas = events.filter((e) => e.event === "response.custom_tool_call_input.delta");
    expect(deltas.map((e) => (e.data as { delta: string }).delta).join("")).toBe(patch);
    expect(conversationOf("POST", path, request).tools).toEqual([
      { name: "apply_patch", parameters: [], freeform: true },
      { name: "exec_command", parameters: ["cmd"] },
    ]);

    model.enqueue({ kind: "tool", name: "exec_command", input: { cmd: "ls" } });
    const plain = (await (await post(model, path, { ...request, stream: false })).json()) as {
      output: { type: string }[];
    };
    expect(plain.output.map((o) => o.type)).toEqual(["function_call"]);
  });
});

describe("Gemini", () => {
  const streamPath = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
  const body = { contents: [{ role: "user", parts: [{ text: "Say hello" }] }] };

  it("streams candidates; the last chunk has finishReason and usageMetadata; the model comes from the path", async () => {
    const model = await start({ apiKey: "g-key" });
    model.enqueue({ kind: "text", text: "Hi from Gemini.", chunks: 2 });
    const events = await readSse(await post(model, streamPath, body, { "x-goog-api-key": "g-key" }));
    type Chunk = {
      candidates: { content: { parts: { text?: string }[] }; finishReason?: string }[];
      usageMetadata?: { candidatesTokenCount: number };
      modelVersion: string;
    };
    const chunks = events.map((e) => e.data as Chunk);
    expect(chunks).toHaveLength(2);
    expect(chunks.map((c) => c.candidates[0]!.content.parts[0]!.text).join("")).toBe("Hi from Gemini.");
    expect(chunks[1]).toMatchObject({
      candidates: [{ finishReason: "STOP" }],
      modelVersion: "gemini-2.5-flash",
    });
    expect(chunks[1]!.usageMetadata!.candidatesTokenCount).toBe(4);
    expect(chunks[0]!.usageMetadata).toBeUndefined();
  });

  it("answers generateContent with a whole functionCall, and errors in Google's shape", async () => {
    const model = await start({ apiKey: "g-key" });
    model.enqueue({ kind: "tool", name: "run_shell_command", input: { command: "ls" } });
    const ok = await post(model, "/v1beta/models/gemini-2.5-flash:generateContent?key=g-key", body);
    expect(await ok.json()).toMatchObject({
      candidates: [
        { content: { parts: [{ functionCall: { name: "run_shell_command", args: { command: "ls" } } }] } },
      ],
    });
    model.enqueue({ kind: "error", status: 429, message: "quota" });
    const limited = await post(model, streamPath, body, { "x-goog-api-key": "g-key" });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED" },
    });
    const denied = await post(model, streamPath, body);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
  });

  it("pairs functionResponse with the call by name, and reads the system instruction and tools", () => {
    const conversation = conversationOf("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", {
      systemInstruction: { parts: [{ text: "You are Gemini CLI." }] },
      tools: [
        {
          functionDeclarations: [
            { name: "write_file", parametersJsonSchema: { properties: { file_path: {}, content: {} } } },
          ],
        },
      ],
      contents: [
        { role: "user", parts: [{ text: "add a.txt" }] },
        {
          role: "model",
          parts: [{ functionCall: { name: "write_file", args: { file_path: "/w/a.txt", content: "x\n" } } }],
        },
        { role: "user", parts: [{ functionResponse: { name: "write_file", response: { output: "ok" } } }] },
      ],
    });
    expect(conversation).toMatchObject({
      model: "gemini-2.5-flash",
      stream: true,
      system: "You are Gemini CLI.",
    });
    expect(conversation.tools).toEqual([{ name: "write_file", parameters: ["file_path", "content"] }]);
    expect(latestUserInput(conversation)).toMatchObject({
      kind: "tool_results",
      results: [{ id: "write_file", content: "ok" }],
    });
  });
});
