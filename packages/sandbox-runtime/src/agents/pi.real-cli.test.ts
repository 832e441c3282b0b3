/**
 * The real `pi` CLI (the @mariozechner/pi-coding-agent version the runtime depends on) driven by
 * `runTurn` against the testkit's scripted model on 127.0.0.1 (one server for the file; replies
 * are queued per test, and tests in a file run one after another). Each test has its own HOME and
 * cwd.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordedRequest, type ScriptedModel, startScriptedModel } from "@nightshift/testkit";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { packConversation, unpackConversation } from "../conversation/conversation-archive";
import type { TurnRequest } from "./contract";
import { pi } from "./pi";
import {
  checkedTurns,
  ofType,
  processesWith,
  tempWorkspace,
  turnRequest,
} from "./test-support/real-cli-harness";

const API_KEY = "sk-pi-scripted-test";
const run = checkedTurns("pi");
let model: ScriptedModel;
/** Removals of the tests' temp roots, after their own model servers are closed. */
const roots: (() => void)[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: API_KEY });
});
afterAll(async () => {
  await model.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const removeRoot of roots.splice(0)) removeRoot();
});

interface Workspace {
  cwd: string;
  home: string;
  request(text: string, overrides?: Partial<TurnRequest>): TurnRequest;
}

/** A model server of the test's own, for replies that could outlive the test (a slow or aborted call). */
async function ownModel(): Promise<ScriptedModel> {
  const own = await startScriptedModel({ apiKey: API_KEY });
  cleanups.push(() => own.close());
  return own;
}

function workspace(server: ScriptedModel = model): Workspace {
  const { cwd, home } = tempWorkspace("ns-pi-", (cleanup) => roots.push(cleanup));
  const defaults = {
    model: "claude-sonnet-4-5",
    timeoutMs: 30_000,
    env: {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${server.url}/v1`,
      OPENAI_API_KEY: API_KEY,
      GOOGLE_GEMINI_BASE_URL: server.url,
      GEMINI_API_KEY: API_KEY,
    },
  };
  return { cwd, home, request: (text, overrides) => turnRequest({ cwd, home }, defaults, text, overrides) };
}

/** The model calls received since `from` (an index into model.requests). */
const callsSince = (from: number): RecordedRequest[] =>
  model.requests.slice(from).filter((r) => r.method === "POST");

describe("runTurn with the real pi CLI", () => {
  it("text turn: streamed deltas, the message, usage with cost, summary and a session id", async () => {
    const w = workspace();
    const from = model.requests.length;
    model.enqueue({ kind: "text", text: "Hello from the scripted model.", chunks: 4 });
    const { result, events } = await run(w.request("Say hello"));

    expect(result).toMatchObject({ status: "completed", summary: "Hello from the scripted model." });
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    const deltas = ofType(events, "message.delta");
    expect(deltas).toHaveLength(4);
    expect(deltas.map((d) => d.text).join("")).toBe("Hello from the scripted model.");
    expect(ofType(events, "message").map((m) => m.text)).toEqual(["Hello from the scripted model."]);
    const [usage] = ofType(events, "usage");
    expect(usage?.inputTokens).toBeGreaterThan(100);
    expect(usage?.costUsd).toBeGreaterThan(0);
    const calls = callsSince(from);
    expect(calls.map((c) => c.path)).toEqual(["/v1/messages"]);
    expect(calls[0]!.headers["x-api-key"]).toBe(API_KEY);
  });

  it("bash tool call: tool.start and the paired tool.end carry the command and its output", async () => {
    const w = workspace();
    model.enqueue(
      { kind: "tool", name: "bash", input: { command: "echo tool-ran > ran.txt && cat ran.txt" } },
      { kind: "text", text: "It ran." },
    );
    const { result, events } = await run(w.request("Run the command"));
    expect(result).toMatchObject({ status: "completed", summary: "It ran." });
    const [start] = ofType(events, "tool.start");
    expect(start).toMatchObject({
      name: "bash",
      input: { command: "echo tool-ran > ran.txt && cat ran.txt" },
    });
    expect(ofType(events, "tool.end")).toEqual([
      { type: "tool.end", toolId: start!.toolId, name: "bash", output: "tool-ran", isError: false },
    ]);
    expect(readFileSync(join(w.cwd, "ran.txt"), "utf8")).toBe("tool-ran\n");
  });

  it("write tool call: the file exists in the working directory", async () => {
    const w = workspace();
    model.enqueue(
      { kind: "tool", name: "write", input: { path: "hello.txt", content: "Hello, World!\n" } },
      { kind: "text", text: "Wrote it." },
    );
    const { result, events } = await run(w.request("Create hello.txt"));
    expect(result).toMatchObject({ status: "completed", summary: "Wrote it." });
    expect(readFileSync(join(w.cwd, "hello.txt"), "utf8")).toBe("Hello, World!\n");
    expect(ofType(events, "tool.end")[0]?.output).toContain("Successfully wrote");
  });

  it("a follow-up resumes the session: the model receives the earlier turn", async () => {
    const w = workspace();
    model.enqueue({ kind: "text", text: "The secret word is heliotrope." });
    const first = await run(w.request("Remember a word for me"));
    expect(first.result.status).toBe("completed");

    const from = model.requests.length;
    model.enqueue({ kind: "text", text: "It was heliotrope." });
    const second = await run(
      w.request("Which word was it?", { resumeSessionId: first.result.agentSessionId }),
    );
    expect(second.result).toMatchObject({ status: "completed", agentSessionId: first.result.agentSessionId });
    const history = JSON.stringify((callsSince(from)[0]!.body as { messages: unknown[] }).messages);
    expect(history).toContain("Remember a word for me");
    expect(history).toContain("The secret word is heliotrope.");
    expect(history).toContain("Which word was it?");
  });

  it("the conversation restored into a new HOME (same cwd) resumes the session", async () => {
    const w = workspace();
    model.enqueue({ kind: "text", text: "Noted: the colour is vermilion." });
    const first = await run(w.request("Remember a colour"));
    const sessionId = first.result.agentSessionId!;
    const saved = pi.conversationFiles!(w.home);
    const packed = packConversation(saved.directory, 1024 * 1024);
    expect(saved.holdsSession(packed.kept, sessionId)).toBe(true);

    // A new sandbox: a fresh HOME where only the archived conversation is written back.
    const home = join(w.home, "..", "home-after-resume");
    const restored = unpackConversation(pi.conversationFiles!(home).directory, packed.archive!);
    expect(restored.ok).toBe(true);
    const from = model.requests.length;
    model.enqueue({ kind: "text", text: "It was vermilion." });
    const second = await run(w.request("Which colour?", { home, resumeSessionId: sessionId }));
    expect(second.result).toMatchObject({ status: "completed", agentSessionId: sessionId });
    const history = JSON.stringify((callsSince(from)[0]!.body as { messages: unknown[] }).messages);
    expect(history).toContain("Noted: the colour is vermilion.");
  });

  it("a prompt Pi's parser would read as options reaches the model verbatim, and no shell ran it", async () => {
    const w = workspace();
    const prompt = `--help $(touch pwned) \`id\`; @notes.md "quoted" 'single'`;
    const from = model.requests.length;
    model.enqueue({ kind: "text", text: "Read it." });
    const { result } = await run(w.request(prompt));
    expect(result.status).toBe("completed");
    const messages = (callsSince(from)[0]!.body as { messages: { role: string; content: unknown }[] })
      .messages;
    expect(messages[0]!.content).toEqual([expect.objectContaining({ type: "text", text: prompt })]);
    expect(existsSync(join(w.cwd, "pwned"))).toBe(false);
  });

  it("a prompt over Linux's 128 KiB argument limit (a pasted log) still reaches the model", async () => {
    const w = workspace();
    const prompt = `Why does this fail?\n${"ERROR something went wrong at step 42\n".repeat(5_000)}Thanks.`;
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(128 * 1024);
    const from = model.requests.length;
    model.enqueue({ kind: "text", text: "Step 42 fails." });
    const { result } = await run(w.request(prompt));
    expect(result).toMatchObject({ status: "completed", summary: "Step 42 fails." });
    const messages = (callsSince(from)[0]!.body as { messages: { content: unknown }[] }).messages;
    expect(messages[0]!.content).toEqual([expect.objectContaining({ type: "text", text: prompt })]);
  });

  it.each([
    ["gpt-5.5", "/v1/chat/completions"],
    ["gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"],
  ])("%s goes to the request's base URL in its own wire format (%s)", async (modelName, path) => {
    const w = workspace();
    const from = model.requests.length;
    model.enqueue({ kind: "text", text: `Hello from ${modelName}.`, chunks: 2 });
    const { result, events } = await run(w.request("Say hello", { model: modelName }));
    expect(result).toMatchObject({ status: "completed", summary: `Hello from ${modelName}.` });
    expect(callsSince(from).map((c) => c.path)).toEqual([path]);
    expect(ofType(events, "usage")[0]).toMatchObject({ model: modelName, costUsd: expect.any(Number) });
  });

  it("a rejected key fails fast: one model_auth_failed error though Pi exits 0", async () => {
    const w = workspace();
    const started = Date.now();
    const request = w.request("Say hello");
    const { result, events } = await run({
      ...request,
      env: { ...request.env, ANTHROPIC_API_KEY: "sk-wrong-key" },
    });
    expect(result.status).toBe("failed");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("cancelling mid-tool kills pi and the tool: cancelled, no error, the tool closed once", async () => {
    const w = workspace();
    const marker = randomUUID().slice(0, 8);
    writeFileSync(join(w.cwd, `wait-${marker}.log`), "");
    model.enqueue({ kind: "tool", name: "bash", input: { command: `tail -f wait-${marker}.log` } });
    const controller = new AbortController();
    const turn = run(w.request(`Wait for ${marker}`, { signal: controller.signal }));

    await waitFor(() => processesWith(`Wait for ${marker}`)[0], "the pi process");
    await waitFor(() => processesWith(`tail -f wait-${marker}.log`)[0], "the tool");
    const cancelled = Date.now();
    controller.abort();
    const { result, events } = await turn;

    expect(result.status).toBe("cancelled");
    expect(ofType(events, "error")).toEqual([]);
    const [start] = ofType(events, "tool.start");
    const ends = ofType(events, "tool.end");
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ toolId: start!.toolId, name: "bash", isError: true });
    expect(Date.now() - cancelled).toBeLessThan(5_000);
    expect(processesWith(`Wait for ${marker}`)).toEqual([]);
    expect(processesWith(`tail -f wait-${marker}.log`)).toEqual([]);
  });

  it("a model that does not answer within the time limit: turn_timeout error, failed, pi gone", async () => {
    const slow = await ownModel();
    const w = workspace(slow);
    slow.enqueue({ kind: "text", text: "too late", delayMs: 60_000 });
    const marker = `slow-${randomUUID()}`;
    const started = Date.now();
    const { result, events } = await run(w.request(`Answer slowly ${marker}`, { timeoutMs: 3_000 }));
    expect(result.status).toBe("failed");
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["turn_timeout"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(processesWith(marker)).toEqual([]);
  });
  it("the turn cap: past maxTurns model turns the run stops with max_turns", async () => {
    // Its own server: should the abort come before the second call is sent, that reply stays queued.
    const own = await ownModel();
    const w = workspace(own);
    own.enqueue(
      { kind: "tool", name: "bash", input: { command: "echo one" } },
      { kind: "tool", name: "bash", input: { command: "echo two" }, delayMs: 2_000 },
    );
    const { result, events } = await run(w.request("Keep going", { maxTurns: 1 }));
    expect(result.status).toBe("failed");
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["max_turns"]);
    expect(ofType(events, "tool.end").map((e) => e.output)).toEqual(["one"]);
  });
});
