/**
 * The real `codex` CLI (the @openai/codex version the runtime depends on) driven by `runTurn`
 * against the testkit's scripted model on 127.0.0.1 (OpenAI Responses). One model server for the
 * file (its queue is emptied between tests); each test has its own HOME and cwd.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { type ScriptedModel, startScriptedModel } from "@nightshift/testkit";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { packConversation, unpackConversation } from "../conversation/conversation-archive";
import { codex, RETRIES_VARIABLE } from "./codex";
import type { TurnRequest } from "./contract";
import {
  checkedTurns,
  expectTurnTimeout,
  ofType,
  processesWith,
  tempWorkspace,
  turnRequest,
} from "./test-support/real-cli-harness";

const API_KEY = "sk-openai-scripted-test";
const run = checkedTurns("codex");
let model: ScriptedModel;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: API_KEY });
});
afterAll(async () => {
  await model.close();
});
afterEach(() => {
  expect(model.queued, "a test left scripted replies unused").toBe(0);
  model.requests.splice(0);
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Workspace {
  cwd: string;
  home: string;
  request(text: string, overrides?: Partial<TurnRequest>): TurnRequest;
}

function workspace(): Workspace {
  const { cwd, home } = tempWorkspace("ns-codex-", (cleanup) => cleanups.push(cleanup));
  const defaults = {
    model: "gpt-5.5",
    timeoutMs: 30_000,
    env: { OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: API_KEY, [RETRIES_VARIABLE]: "0" },
  };
  return { cwd, home, request: (text, overrides) => turnRequest({ cwd, home }, defaults, text, overrides) };
}

const modelCalls = () => model.requests.filter((r) => r.method === "POST");

/** The texts of the last model call's input items: what the model was shown. */
function lastInput(): string {
  const body = modelCalls().at(-1)!.body as { input: unknown[] };
  return JSON.stringify(body.input);
}

describe("runTurn with the real codex CLI", () => {
  it("text turn: the message, per-turn usage at list price, summary and the thread id", async () => {
    const w = workspace();
    model.enqueue({ kind: "text", text: "Hello from the scripted model.", chunks: 4 });
    const { result, events } = await run(w.request("Say hello"));

    expect(result).toMatchObject({ status: "completed", summary: "Hello from the scripted model." });
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    // The model streamed 4 deltas; `codex exec --json` prints only the whole message.
    expect(ofType(events, "message.delta")).toEqual([]);
    expect(ofType(events, "message").map((m) => m.text)).toEqual(["Hello from the scripted model."]);
    const [usage] = ofType(events, "usage");
    expect(usage?.inputTokens).toBeGreaterThan(100);
    expect(usage?.costUsd).toBeGreaterThan(0);
    expect(usage?.model).toBe("gpt-5.5");
    expect(ofType(events, "error")).toEqual([]);
    const calls = modelCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe("/v1/responses");
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(calls[0]!.body).toMatchObject({ model: "gpt-5.5", stream: true });
  });

  it("a prompt over Linux's 128 KiB argument limit reaches the model whole (on stdin)", async () => {
    const w = workspace();
    model.enqueue({ kind: "text", text: "Read it all." });
    const calls = modelCalls().length;
    const { result } = await run(w.request(`Summarise: ${"漢".repeat(99_000)} END-OF-PROMPT`));
    expect(result.status).toBe("completed");
    expect(JSON.stringify(modelCalls()[calls]?.body)).toContain("END-OF-PROMPT");
  });

  it("shell tool call: tool.start and the paired tool.end carry the command and its output", async () => {
    const w = workspace();
    model.enqueue(
      { kind: "tool", name: "exec_command", input: { cmd: "echo tool-ran > ran.txt && cat ran.txt" } },
      { kind: "text", text: "It ran." },
    );
    const { result, events } = await run(w.request("Run the command"));
    expect(result).toMatchObject({ status: "completed", summary: "It ran." });
    const [start] = ofType(events, "tool.start");
    const ends = ofType(events, "tool.end");
    expect(start).toMatchObject({
      name: "shell",
      input: { command: expect.stringContaining("echo tool-ran") },
    });
    expect(ends).toEqual([
      { type: "tool.end", toolId: start!.toolId, name: "shell", output: "tool-ran\n", isError: false },
    ]);
    expect(readFileSync(join(w.cwd, "ran.txt"), "utf8")).toBe("tool-ran\n");
  });

  it("file write through apply_patch: the file exists and the tool names it", async () => {
    const w = workspace();
    const patch = "*** Begin Patch\n*** Add File: hello.txt\n+Hello, World!\n*** End Patch\n";
    model.enqueue(
      { kind: "tool", name: "apply_patch", input: { input: patch } },
      { kind: "text", text: "Wrote it." },
    );
    const { result, events } = await run(w.request("Create hello.txt"));
    expect(result).toMatchObject({ status: "completed", summary: "Wrote it." });
    expect(readFileSync(join(w.cwd, "hello.txt"), "utf8")).toBe("Hello, World!\n");
    const [start] = ofType(events, "tool.start");
    expect(start).toMatchObject({
      name: "apply_patch",
      input: { changes: [{ path: join(w.cwd, "hello.txt"), kind: "add" }] },
    });
    expect(ofType(events, "tool.end")).toEqual([
      expect.objectContaining({
        toolId: start!.toolId,
        output: `add ${join(w.cwd, "hello.txt")}`,
        isError: false,
      }),
    ]);
  });

  it("a follow-up resumes the thread: the model sees the earlier turn, usage is the follow-up's own", async () => {
    const w = workspace();
    model.enqueue({ kind: "text", text: "The secret word is heliotrope." });
    const first = await run(w.request("Remember a word for me"));
    expect(first.result.status).toBe("completed");

    model.enqueue({ kind: "text", text: "It was heliotrope." });
    const second = await run(
      w.request("Which word was it?", { resumeSessionId: first.result.agentSessionId }),
    );
    expect(second.result).toMatchObject({ status: "completed", agentSessionId: first.result.agentSessionId });
    const history = lastInput();
    expect(history).toContain("Remember a word for me");
    expect(history).toContain("The secret word is heliotrope.");
    expect(history).toContain("Which word was it?");
    // Codex reports the thread's running total (about twice the first turn's input by now).
    const [firstUsage] = ofType(first.events, "usage");
    const [secondUsage] = ofType(second.events, "usage");
    expect(secondUsage!.inputTokens).toBeLessThan(firstUsage!.inputTokens * 1.5);
    expect(secondUsage!.inputTokens).toBeGreaterThan(firstUsage!.inputTokens * 0.5);
  });

  it("conversation restored on a new sandbox: the saved session files resume in a fresh HOME", async () => {
    const w = workspace();
    model.enqueue({ kind: "text", text: "Noted: the build uses pnpm." });
    const first = await run(w.request("Our build uses pnpm; remember it"));
    const threadId = first.result.agentSessionId!;

    const saved = packConversation(codex.conversationFiles!(w.home).directory, 8 * 1024 * 1024);
    expect(codex.conversationFiles!(w.home).holdsSession(saved.kept, threadId)).toBe(true);
    const freshHome = join(w.home, "..", "fresh-home");
    const restoredTo = codex.conversationFiles!(freshHome);
    expect(unpackConversation(restoredTo.directory, saved.archive!)).toMatchObject({ ok: true });

    model.enqueue({ kind: "text", text: "pnpm." });
    const resumed = await run(
      w.request("Which package manager?", { home: freshHome, resumeSessionId: threadId }),
    );
    expect(resumed.result).toMatchObject({ status: "completed", agentSessionId: threadId });
    expect(lastInput()).toContain("Noted: the build uses pnpm.");
    const [firstUsage] = ofType(first.events, "usage");
    expect(ofType(resumed.events, "usage")[0]!.inputTokens).toBeLessThan(firstUsage!.inputTokens * 1.5);
  });

  it("a rejected key fails fast with one error saying to set OPENAI_API_KEY", async () => {
    const w = workspace();
    const started = Date.now();
    const request = w.request("Say hello");
    const { result, events } = await run({
      ...request,
      env: { ...request.env, OPENAI_API_KEY: "sk-wrong-key" },
    });
    expect(result.status).toBe("failed");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("OPENAI_API_KEY");
    expect(JSON.stringify(events)).not.toContain("sk-wrong-key");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a server error Codex recovers from is a log line, not a failure", async () => {
    const w = workspace();
    model.enqueue(
      { kind: "error", status: 503, message: "upstream hiccup" },
      { kind: "text", text: "Recovered." },
    );
    const request = w.request("Say hello");
    const { result, events } = await run({ ...request, env: { ...request.env, [RETRIES_VARIABLE]: "1" } });
    expect(result).toMatchObject({ status: "completed", summary: "Recovered." });
    expect(ofType(events, "error")).toEqual([]);
    expect(modelCalls()).toHaveLength(2);
  });

  it("calls no service but the model API: no plugin, app or analytics traffic through the egress proxy", async () => {
    const w = workspace();
    // The sandbox's egress proxy, as the CLI sees it: every CONNECT it asks for is recorded and refused.
    const asked: string[] = [];
    const proxy = createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(403).end();
    });
    proxy.on("connect", (req, socket) => {
      asked.push(`CONNECT ${req.url}`);
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      model.enqueue({ kind: "text", text: "Hello." });
      const request = w.request("Say hello");
      const env = {
        ...request.env,
        HTTPS_PROXY: proxyUrl,
        HTTP_PROXY: proxyUrl,
        NO_PROXY: "127.0.0.1,localhost",
      };
      const { result } = await run({ ...request, env });
      expect(result.status).toBe("completed");
      expect(modelCalls()).toHaveLength(1);
      expect(asked).toEqual([]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("a repository's own .codex/config.toml and .env do not configure Codex (an untrusted project)", async () => {
    const w = workspace();
    mkdirSync(join(w.cwd, ".codex"));
    writeFileSync(
      join(w.cwd, ".codex", "config.toml"),
      'developer_instructions = "REPO-CONFIG-LOADED"\n[shell_environment_policy]\nset = { REPO_MARK = "repo-config" }\n',
    );
    writeFileSync(join(w.cwd, ".env"), "OPENAI_BASE_URL=http://127.0.0.1:9/v1\nREPO_MARK=dotenv\n");
    model.enqueue(
      { kind: "tool", name: "exec_command", input: { cmd: 'echo "mark=$REPO_MARK"' } },
      { kind: "text", text: "Checked." },
    );
    const { result, events } = await run(w.request("Check the environment"));
    expect(result.status).toBe("completed");
    expect(ofType(events, "tool.end")[0]?.output).toBe("mark=\n");
    expect(JSON.stringify(modelCalls().map((call) => call.body))).not.toContain("REPO-CONFIG-LOADED");
  });

  it("an unreachable model API fails the turn at once instead of waiting for the network forever", async () => {
    const w = workspace();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const request = w.request("Say hello", { timeoutMs: 25_000 });
    const started = Date.now();
    const { result, events } = await run({
      ...request,
      env: { ...request.env, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
    });
    expect(result.status).toBe("failed");
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["model_unreachable"]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("stopping mid-tool ends the CLI and its tool: cancelled, no error, nothing left running", async () => {
    const w = workspace();
    const marker = randomUUID().slice(0, 8);
    writeFileSync(join(w.cwd, `wait-${marker}.log`), "");
    model.enqueue({ kind: "tool", name: "exec_command", input: { cmd: `tail -f wait-${marker}.log` } });
    const controller = new AbortController();
    const seen: AgentEvent[] = [];
    const turn = run(w.request(`Wait for ${marker}`, { signal: controller.signal }), seen);

    await waitFor(() => processesWith(`Wait for ${marker}`)[0], "the codex process");
    await waitFor(() => processesWith(`tail -f wait-${marker}.log`)[0], "the tool");
    await waitFor(() => seen.find((e) => e.type === "tool.start"), "the tool.start event");
    const cancelled = Date.now();
    controller.abort();
    const { result, events } = await turn;

    expect(result.status).toBe("cancelled");
    expect(ofType(events, "error")).toEqual([]);
    const [start] = ofType(events, "tool.start");
    expect(ofType(events, "tool.end")).toEqual([
      expect.objectContaining({ toolId: start!.toolId, name: "shell", isError: true }),
    ]);
    expect(Date.now() - cancelled).toBeLessThan(5_000);
    expect(processesWith(`Wait for ${marker}`)).toEqual([]);
    expect(processesWith(`tail -f wait-${marker}.log`)).toEqual([]);
  });

  it("a slow model past the time limit: turn_timeout error, failed, CLI gone", async () => {
    const w = workspace();
    const turn = (text: string, overrides: Partial<TurnRequest>) => run(w.request(text, overrides));
    await expectTurnTimeout({ model, turn, limitSeconds: 5, withinMs: 12_000 });
    // On a loaded machine the CLI may not have asked for the slow reply before the limit.
    model.clearQueue();
  });
});
