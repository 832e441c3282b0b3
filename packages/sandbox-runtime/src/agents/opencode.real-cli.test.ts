/**
 * The real `opencode` CLI (the opencode-ai version the runtime depends on) driven by `runTurn`
 * against the testkit's scripted model (OpenAI Chat Completions) on 127.0.0.1. Each test has its
 * own HOME and cwd; the model server is shared. OpenCode takes seconds to start (tens of seconds
 * on a loaded machine), so the file is lean: tools share a turn, and resume, follow-up and
 * restore on a fresh HOME share one conversation.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { type RecordedRequest, type ScriptedModel, startScriptedModel } from "@nightshift/testkit";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { packConversation, unpackConversation } from "../conversation/conversation-archive";
import type { TurnRequest, TurnResult } from "./contract";
import { opencode } from "./opencode";
import {
  checkedTurns,
  ofType,
  processesWith,
  processesWithEnv,
  tempWorkspace,
  turnRequest,
} from "./test-support/real-cli-harness";

const API_KEY = "sk-opencode-scripted-test";
const TEST_TIMEOUT = 240_000;
const ADD_HELLO_PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+Hello, World!\n*** End Patch";
const run = checkedTurns("opencode");

let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({ apiKey: API_KEY });
});
afterAll(async () => {
  await model?.close();
});
const cleanups: (() => void)[] = [];
afterEach(() => {
  model.clearQueue();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Harness {
  /** In every prompt of this harness's turns: tells its model calls from other tests'. */
  marker: string;
  root: string;
  cwd: string;
  home: string;
  /** The model calls made from this harness's turns (recognised by the prompts' marker). */
  calls(): RecordedRequest[];
  request(text: string, overrides?: Partial<TurnRequest>): TurnRequest;
  run(request: TurnRequest): Promise<{ result: TurnResult; events: AgentEvent[] }>;
}

function harness(): Harness {
  const { root, cwd, home } = tempWorkspace("ns-opencode-", (cleanup) => cleanups.push(cleanup));
  const marker = randomUUID();
  const defaults = {
    model: "gpt-5.5",
    timeoutMs: 200_000,
    env: { OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: API_KEY },
  };
  return {
    marker,
    root,
    cwd,
    home,
    calls: () => model.requests.filter((r) => r.method === "POST" && JSON.stringify(r.body).includes(marker)),
    request: (text, overrides) => turnRequest({ cwd, home }, defaults, `${text} [${marker}]`, overrides),
    run: (request) => run(request),
  };
}

/** The conversation the model was sent in a call, as text. */
const messagesOf = (call: RecordedRequest) => JSON.stringify((call.body as { messages: unknown }).messages);

/** The last user message of a call, as the model got it. */
function lastUserText(call: RecordedRequest): string {
  const messages = (call.body as { messages: { role: string; content: unknown }[] }).messages;
  const content = messages.filter((m) => m.role === "user").at(-1)?.content;
  if (typeof content === "string") return content;
  return (content as { text?: string }[]).map((part) => part.text ?? "").join("");
}

describe("runTurn with the real opencode CLI", { timeout: TEST_TIMEOUT }, () => {
  it("text turn: the prompt verbatim from stdin, the message, usage at list price, summary, session id, no title call", async () => {
    const h = harness();
    model.enqueue({ kind: "text", text: "Hello from the scripted model.", chunks: 3 });
    const prompt = `--help say "hello"  twice; $(touch pwned) 'single'`;
    const request = h.request(prompt);
    const { result, events } = await h.run(request);

    expect(result).toMatchObject({ status: "completed", summary: "Hello from the scripted model." });
    expect(result.agentSessionId).toMatch(/^ses_[A-Za-z0-9]+$/);
    expect(ofType(events, "message").map((m) => m.text)).toEqual(["Hello from the scripted model."]);
    const [usage] = ofType(events, "usage");
    expect(usage?.inputTokens).toBeGreaterThan(100);
    expect(usage?.model).toBe("gpt-5.5");
    expect(usage?.costUsd).toBeGreaterThan(0);
    expect(ofType(events, "error")).toEqual([]);
    // One model call (no session-title call), with the key, and the prompt exactly as sent.
    const calls = h.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe("/v1/chat/completions");
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(lastUserText(calls[0]!)).toBe(request.text);
    expect(readdirSync(h.cwd)).toEqual([]);
    // OpenCode did not try to npm-install its plugin package (it would reach the registry every turn).
    expect(readdirSync(h.home)).not.toContain(".npm");
    expect(readdirSync(join(h.home, ".config", "opencode", "node_modules"))).toEqual([]);
  });

  it("tools: a shell call and a file write, each tool.start paired with its tool.end, files in the workspace", async () => {
    const h = harness();
    model.enqueue(
      {
        kind: "tool",
        name: "bash",
        input: { command: "echo tool-ran > ran.txt && cat ran.txt", description: "run it" },
      },
      {
        kind: "tool",
        // OpenCode offers GPT models apply_patch in place of write and edit.
        name: "apply_patch",
        input: { patchText: ADD_HELLO_PATCH },
      },
      { kind: "text", text: "Ran it and wrote hello.txt." },
    );
    const { result, events } = await h.run(h.request("Run the command, then create hello.txt"));

    expect(result).toMatchObject({ status: "completed", summary: "Ran it and wrote hello.txt." });
    const starts = ofType(events, "tool.start");
    const ends = ofType(events, "tool.end");
    expect(starts.map((s) => s.name)).toEqual(["bash", "apply_patch"]);
    expect(starts[0]).toMatchObject({ input: { command: "echo tool-ran > ran.txt && cat ran.txt" } });
    expect(ends[0]).toMatchObject({
      toolId: starts[0]!.toolId,
      name: "bash",
      output: "tool-ran",
      isError: false,
    });
    expect(ends[1]).toMatchObject({ toolId: starts[1]!.toolId, name: "apply_patch", isError: false });
    expect(readFileSync(join(h.cwd, "ran.txt"), "utf8")).toBe("tool-ran\n");
    expect(readFileSync(join(h.cwd, "hello.txt"), "utf8")).toBe("Hello, World!\n");
    expect(ofType(events, "usage")).toHaveLength(1);
  });

  it("a follow-up resumes the session, and so does a fresh HOME with the conversation files restored", async () => {
    const h = harness();
    model.enqueue({ kind: "text", text: "The secret word is heliotrope." });
    const first = await h.run(h.request("Remember a word for me"));
    expect(first.result.status).toBe("completed");
    const sessionId = first.result.agentSessionId!;

    model.enqueue({ kind: "text", text: "It was heliotrope." });
    const second = await h.run(h.request("Which word was it?", { resumeSessionId: sessionId }));
    expect(second.result).toMatchObject({ status: "completed", agentSessionId: sessionId });
    const followUp = messagesOf(h.calls().at(-1)!);
    expect(followUp).toContain("Remember a word for me");
    expect(followUp).toContain("The secret word is heliotrope.");

    // A new sandbox: same workspace path, an empty HOME holding only the restored files.
    const files = opencode.conversationFiles!(h.home);
    const packed = packConversation(files.directory, 8 * 1024 * 1024);
    expect(files.holdsSession(packed.kept, sessionId)).toBe(true);
    expect(files.holdsSession(packed.kept, "ses_someoneElse0000")).toBe(false);
    const freshHome = join(h.root, "fresh-home");
    const restored = unpackConversation(opencode.conversationFiles!(freshHome).directory, packed.archive!);
    expect(restored.ok).toBe(true);
    model.enqueue({ kind: "text", text: "Still heliotrope." });
    const third = await h.run(h.request("And now?", { home: freshHome, resumeSessionId: sessionId }));
    expect(third.result).toMatchObject({ status: "completed", agentSessionId: sessionId });
    const history = messagesOf(h.calls().at(-1)!);
    expect(history).toContain("The secret word is heliotrope.");
    expect(history).toContain("It was heliotrope.");
  });

  it.each([
    { model: "claude-sonnet-4-5", path: "/v1/messages", key: (r: RecordedRequest) => r.headers["x-api-key"] },
    {
      model: "gemini-2.5-pro",
      path: "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
      key: (r: RecordedRequest) => r.headers["x-goog-api-key"],
    },
  ])(
    "a $model session speaks that model's own API at the relay's base URL for it",
    async ({ model: name, path, key }) => {
      const h = harness();
      model.enqueue({ kind: "text", text: `Hello from ${name}.` });
      const env = {
        ANTHROPIC_BASE_URL: model.url,
        GOOGLE_GEMINI_BASE_URL: model.url,
        ANTHROPIC_API_KEY: API_KEY,
        GEMINI_API_KEY: API_KEY,
      };
      const { result, events } = await h.run(h.request("Say hello", { model: name, env }));
      expect(result).toMatchObject({ status: "completed", summary: `Hello from ${name}.` });
      expect(ofType(events, "usage")[0]).toMatchObject({ model: name });
      const calls = model.requests.filter(
        (r) => r.method === "POST" && r.path === path && JSON.stringify(r.body).includes(h.marker),
      );
      expect(calls).toHaveLength(1);
      expect(key(calls[0]!)).toBe(API_KEY);
    },
  );

  it("a rejected key (401) fails at once with one error saying to set OPENAI_API_KEY", async () => {
    const h = harness();
    const request = h.request("Say hello");
    const { result, events } = await h.run({
      ...request,
      env: { ...request.env, OPENAI_API_KEY: "sk-wrong-key" },
    });
    expect(result.status).toBe("failed");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("OPENAI_API_KEY");
    expect(errors[0]!.message).not.toContain("sk-wrong-key");
    expect(h.calls()).toHaveLength(1); // a 401 is not retried
  });

  it("stopping mid-tool cancels the turn and leaves no process of it", async () => {
    const h = harness();
    const marker = `ns-wait-${randomUUID().slice(0, 8)}`;
    model.enqueue({
      kind: "tool",
      name: "bash",
      input: { command: `sleep 120; echo ${marker}`, description: "wait" },
    });
    const controller = new AbortController();
    const request = h.request("Wait for it", { signal: controller.signal });
    const turn = h.run(request);
    const homeEntry = `HOME=${h.home}`;

    // The CLI (its environment names the private HOME) and the tool's shell are running...
    await waitFor(() => processesWith(`sleep 120; echo ${marker}`)[0], "the tool", 150_000);
    expect(processesWithEnv(homeEntry).length).toBeGreaterThan(1);
    const cancelled = Date.now();
    controller.abort();
    const { result, events } = await turn;

    expect(result.status).toBe("cancelled");
    expect(ofType(events, "error")).toEqual([]);
    // OpenCode prints a tool call only once it has finished: this one never was.
    expect(ofType(events, "tool.start")).toEqual([]);
    expect(Date.now() - cancelled).toBeLessThan(10_000);
    // ...and nothing of the turn is left afterwards.
    expect(processesWith(`sleep 120; echo ${marker}`)).toEqual([]);
    expect(processesWithEnv(homeEntry)).toEqual([]);
  });

  it("a slow model past the time limit: turn_timeout error, failed, CLI gone", async () => {
    const h = harness();
    model.enqueue({ kind: "text", text: "too late", delayMs: 120_000 });
    const { result, events } = await h.run(h.request("Answer slowly", { timeoutMs: 10_000 }));
    expect(result.status).toBe("failed");
    const errors = ofType(events, "error");
    expect(errors.map((e) => e.code)).toEqual(["turn_timeout"]);
    expect(errors[0]!.message).toContain("limit of 10 s");
    expect(processesWithEnv(`HOME=${h.home}`)).toEqual([]);
  });
});
