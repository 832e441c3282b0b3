/**
 * The real `gemini` CLI (the @google/gemini-cli version the runtime depends on) driven by `runTurn`
 * against the testkit's scripted model (Gemini's streamGenerateContent) on 127.0.0.1. Each test
 * has its own HOME, cwd and model server. A Gemini CLI start costs seconds here, hence the timeouts.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type RecordedRequest, type ScriptedModel, startScriptedModel } from "@nightshift/testkit";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { packConversation, unpackConversation } from "../conversation/conversation-archive";
import type { TurnRequest } from "./contract";
import { gemini } from "./gemini";
import { readableAsSystemSettings } from "./gemini-settings";
import {
  checkedTurns,
  expectTurnTimeout,
  harnessWithOwnModel,
  type ModelHarness,
  ofType,
  processesWith,
} from "./test-support/real-cli-harness";

const API_KEY = "gemini-scripted-test-key";
const MODEL = "gemini-2.5-flash";
const CALL_PATH = `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`;
const TEST_TIMEOUT = 60_000;
/** Running as root with a HOME the CLI trusts for system settings (see gemini-settings.ts). */
const rootOwnedHome = process.getuid?.() === 0 && readableAsSystemSettings(homedir());
const run = checkedTurns("gemini");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function harness(options: { autopilot?: boolean } = {}): Promise<ModelHarness> {
  return harnessWithOwnModel({
    run,
    apiKey: API_KEY,
    workspacePrefix: "ns-gemini-",
    defaults: (model) => ({
      model: MODEL,
      timeoutMs: 45_000,
      env: { GOOGLE_GEMINI_BASE_URL: model.url, GEMINI_API_KEY: API_KEY },
    }),
    onCleanup: (cleanup) => cleanups.push(cleanup),
    ...options,
  });
}

const modelCalls = (model: ScriptedModel) => model.requests.filter((r) => r.method === "POST");

/** Everything the model was sent in a call, as text. */
const contentsOf = (call: RecordedRequest) => JSON.stringify((call.body as { contents: unknown }).contents);

describe("runTurn with the real gemini CLI", { timeout: TEST_TIMEOUT }, () => {
  it("text turn: streamed deltas, the message, usage at list price, summary and the chosen session id", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "text", text: "Hello from the scripted model.", chunks: 4 });
    const { result, events } = await h.run(h.request("Say hello"));

    expect(result).toMatchObject({ status: "completed", summary: "Hello from the scripted model." });
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    const deltas = ofType(events, "message.delta");
    expect(deltas).toHaveLength(4);
    expect(deltas.map((d) => d.text).join("")).toBe("Hello from the scripted model.");
    expect(ofType(events, "message").map((m) => m.text)).toEqual(["Hello from the scripted model."]);
    const [usage] = ofType(events, "usage");
    expect(usage?.inputTokens).toBeGreaterThan(100);
    expect(usage?.costUsd).toBeGreaterThan(0);
    expect(usage?.model).toBe(MODEL);
    const calls = modelCalls(h.model);
    expect(calls.map((c) => c.path)).toEqual([CALL_PATH]);
    expect(calls[0]!.headers["x-goog-api-key"]).toBe(API_KEY);
    expect(ofType(events, "error")).toEqual([]);
  });

  it("a prompt over Linux's 128 KiB argument limit reaches the model whole (on stdin)", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "text", text: "Read it all." });
    const { result } = await h.run(h.request(`Summarise: ${"漢".repeat(99_000)} END-OF-PROMPT`));
    expect(result.status).toBe("completed");
    expect(JSON.stringify(modelCalls(h.model)[0]?.body)).toContain("END-OF-PROMPT");
  });

  it("a prompt that looks like options and shell reaches the model verbatim", async () => {
    const h = await harness();
    const prompt = `--help $(touch pwned) \`id\`; rm -rf ~ && echo "quoted" 'single' \\ |cat >x\n-p second line`;
    const { result } = await h.run(h.request(prompt));
    expect(result.status).toBe("completed");
    expect(contentsOf(modelCalls(h.model)[0]!)).toContain(JSON.stringify(prompt).slice(1, -1));
    expect(readdirSync(h.cwd)).toEqual([]);
  });

  it("a repository's .env does not steer the CLI (its proxy would take the model call elsewhere)", async () => {
    const h = await harness();
    const proxy = await startScriptedModel({ apiKey: "not-the-model" });
    cleanups.push(() => proxy.close());
    writeFileSync(join(h.cwd, ".env"), `HTTP_PROXY=${proxy.url}\nHTTPS_PROXY=${proxy.url}\n`);
    h.model.enqueue({ kind: "text", text: "Straight to the model." });
    const request = h.request("Say hello");
    // Trusted from the first settings load on, as a late settings reload would see it: the CLI reads .env then.
    const { result } = await h.run({
      ...request,
      env: { ...request.env, GEMINI_CLI_TRUST_WORKSPACE: "true" },
    });
    expect(result).toMatchObject({ status: "completed", summary: "Straight to the model." });
    expect(proxy.requests).toEqual([]);
  });

  it.skipIf(!rootOwnedHome)(
    "a repository's .gemini/settings.json cannot lift the turn cap: the system layer is put over it",
    async () => {
      const h = await harness();
      const secureRoot = mkdtempSync(join(homedir(), ".ns-gemini-"));
      cleanups.push(() => rmSync(secureRoot, { recursive: true, force: true }));
      mkdirSync(join(h.cwd, ".gemini"));
      const hostile = { model: { maxSessionTurns: 50 }, privacy: { usageStatisticsEnabled: true } };
      writeFileSync(join(h.cwd, ".gemini", "settings.json"), JSON.stringify(hostile));
      h.model.enqueue(
        { kind: "tool", name: "run_shell_command", input: { command: "true" } },
        { kind: "tool", name: "run_shell_command", input: { command: "true" } },
        { kind: "text", text: "Past the cap." },
      );
      const request = h.request("Loop", { home: join(secureRoot, "home"), maxTurns: 1 });
      // The workspace trusted from the first settings load on (--skip-trust trusts it only after
      // that load, but settings read again later, e.g. after a slow start, merge the workspace).
      const env = { ...request.env, GEMINI_CLI_TRUST_WORKSPACE: "true" };
      const { result, events } = await h.run({ ...request, env });
      expect(result.status).toBe("failed");
      expect(ofType(events, "error").map((e) => e.code)).toEqual(["max_turns"]);
      expect(modelCalls(h.model)).toHaveLength(1);
      expect(ofType(events, "log").filter((e) => /Skipping system settings/.test(e.text))).toEqual([]);
    },
  );

  it("shell tool call: tool.start and the paired tool.end carry the command and its output", async () => {
    const h = await harness();
    h.model.enqueue(
      {
        kind: "tool",
        name: "run_shell_command",
        input: { command: "echo tool-ran > ran.txt && cat ran.txt", description: "run it" },
      },
      { kind: "text", text: "It ran." },
    );
    const { result, events } = await h.run(h.request("Run the command"));
    expect(result).toMatchObject({ status: "completed", summary: "It ran." });
    const [start] = ofType(events, "tool.start");
    expect(start).toMatchObject({
      name: "run_shell_command",
      input: { command: "echo tool-ran > ran.txt && cat ran.txt" },
    });
    expect(ofType(events, "tool.end")).toEqual([
      {
        type: "tool.end",
        toolId: start!.toolId,
        name: "run_shell_command",
        output: "tool-ran",
        isError: false,
      },
    ]);
    expect(readFileSync(join(h.cwd, "ran.txt"), "utf8")).toBe("tool-ran\n");
  });

  it("file write: write_file creates the file in the working directory", async () => {
    const h = await harness();
    h.model.enqueue(
      { kind: "tool", name: "write_file", input: { file_path: "hello.txt", content: "Hello, World!\n" } },
      { kind: "text", text: "Wrote it." },
    );
    const { result, events } = await h.run(h.request("Create hello.txt"));
    expect(result).toMatchObject({ status: "completed", summary: "Wrote it." });
    expect(readFileSync(join(h.cwd, "hello.txt"), "utf8")).toBe("Hello, World!\n");
    const [start] = ofType(events, "tool.start");
    expect(ofType(events, "tool.end")).toEqual([
      { type: "tool.end", toolId: start!.toolId, name: "write_file", output: "", isError: false },
    ]);
  });

  it("the keyless demo: autopilot on the catalog's default model writes the named file and sums it up", async () => {
    const h = await harness({ autopilot: true });
    const { result, events } = await h.run(
      h.request("Please add docs/usage.md about the CLI", { model: undefined }),
    );
    expect(result.status).toBe("completed");
    expect(modelCalls(h.model)[0]!.path).toBe(CALL_PATH); // gemini-2.5-flash, AGENT_CATALOG's default
    expect(readFileSync(join(h.cwd, "docs", "usage.md"), "utf8")).toContain(
      "Requested change: Please add docs/usage.md",
    );
    expect(ofType(events, "tool.start")[0]).toMatchObject({ name: "write_file" });
    expect(result.summary).toMatch(/^I wrote usage\.md/);
  });

  it("a follow-up resumes the session: the model receives the earlier turn", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "text", text: "The secret word is heliotrope." });
    const first = await h.run(h.request("Remember a word for me"));
    expect(first.result.status).toBe("completed");

    h.model.enqueue({ kind: "text", text: "It was heliotrope." });
    const second = await h.run(
      h.request("Which word was it?", { resumeSessionId: first.result.agentSessionId }),
    );
    expect(second.result).toMatchObject({ status: "completed", agentSessionId: first.result.agentSessionId });
    const history = contentsOf(modelCalls(h.model).at(-1)!);
    expect(history).toContain("Remember a word for me");
    expect(history).toContain("The secret word is heliotrope.");
    expect(history).toContain("Which word was it?");
  });

  it("resume on a new sandbox: the conversation files restored into a fresh HOME carry the session", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "text", text: "The secret word is marigold." });
    const first = await h.run(h.request("Remember another word"));
    const sessionId = first.result.agentSessionId!;
    const packed = packConversation(gemini.conversationFiles!(h.home).directory, 8 * 1024 * 1024);
    expect(gemini.conversationFiles!(h.home).holdsSession(packed.kept, sessionId)).toBe(true);

    const freshHome = join(h.root, "fresh-home");
    const restored = unpackConversation(gemini.conversationFiles!(freshHome).directory, packed.archive!);
    expect(restored.ok).toBe(true);
    h.model.enqueue({ kind: "text", text: "It was marigold." });
    const second = await h.run(
      h.request("Which word was it?", { home: freshHome, resumeSessionId: sessionId }),
    );
    expect(second.result).toMatchObject({ status: "completed", agentSessionId: sessionId });
    const history = contentsOf(modelCalls(h.model).at(-1)!);
    expect(history).toContain("Remember another word");
    expect(history).toContain("The secret word is marigold.");
  });

  it("a rejected key (401) fails fast with one error saying to set GEMINI_API_KEY", async () => {
    const h = await harness();
    const request = h.request("Say hello");
    const started = Date.now();
    const { result, events } = await h.run({
      ...request,
      env: { ...request.env, GEMINI_API_KEY: "wrong-key" },
    });
    expect(result.status).toBe("failed");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("GEMINI_API_KEY");
    expect(modelCalls(h.model)).toHaveLength(1); // no retry of a 401
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("after a first turn that failed before any answer, the follow-up starts a session that then resumes", async () => {
    const h = await harness();
    const request = h.request("Remember a word");
    const failed = await h.run({ ...request, env: { ...request.env, GEMINI_API_KEY: "wrong-key" } });
    expect(failed.result.status).toBe("failed");

    h.model.enqueue({ kind: "text", text: "Now with a good key." });
    const retried = await h.run(
      h.request("Remember a word", { resumeSessionId: failed.result.agentSessionId }),
    );
    expect(retried.result.status).toBe("completed");
    h.model.enqueue({ kind: "text", text: "And it is resumable." });
    const sessionId = retried.result.agentSessionId;
    const next = await h.run(h.request("Which word?", { resumeSessionId: sessionId }));
    expect(next.result).toMatchObject({ status: "completed", agentSessionId: sessionId });
    expect(contentsOf(modelCalls(h.model).at(-1)!)).toContain("Now with a good key.");
  });

  it("a model the API does not know (404): the status the CLI printed only on stderr names the error", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "error", status: 404, message: "models/gemini-9 is not found" });
    const { result, events } = await h.run(h.request("Say hello"));
    expect(result.status).toBe("failed");
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["model_not_found"]);
    // The stderr report is still forwarded, as logs, but not the CLI's stack frames.
    const logs = ofType(events, "log").map((e) => e.text);
    expect(logs.some((text) => /code: 404/.test(text))).toBe(true);
    expect(logs.filter((text) => /^\s+at \S/.test(text))).toEqual([]);
  });

  it("a 503 the CLI retries is not a failure: logs, then the answer", async () => {
    const h = await harness();
    h.model.enqueue(
      { kind: "error", status: 503, message: "The model is overloaded." },
      { kind: "text", text: "Answer after a retry." },
    );
    const { result, events } = await h.run(h.request("Say hello"));
    expect(result).toMatchObject({ status: "completed", summary: "Answer after a retry." });
    expect(ofType(events, "error")).toEqual([]);
    expect(ofType(events, "log").some((e) => /Attempt 1 failed with status 503/.test(e.text))).toBe(true);
    expect(modelCalls(h.model)).toHaveLength(2);
  });

  it("stopping mid-tool cancels the turn, closes the tool once and leaves no process", async () => {
    const h = await harness();
    const marker = `ns-wait-${randomUUID().slice(0, 8)}`;
    h.model.enqueue({
      kind: "tool",
      name: "run_shell_command",
      input: { command: `sleep 45; echo ${marker}`, description: "wait" },
    });
    const controller = new AbortController();
    const turn = h.run(h.request(`Wait for ${marker}`, { signal: controller.signal }));

    // Both the CLI (its argv holds the prompt) and the tool's shell are running...
    await waitFor(() => processesWith(`Wait for ${marker}`)[0], "the gemini process", 30_000);
    await waitFor(() => processesWith(`sleep 45; echo ${marker}`)[0], "the tool", 30_000);
    const cancelled = Date.now();
    controller.abort();
    const { result, events } = await turn;

    expect(result.status).toBe("cancelled");
    expect(ofType(events, "error")).toEqual([]);
    const [start] = ofType(events, "tool.start");
    const ends = ofType(events, "tool.end");
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ toolId: start!.toolId, name: "run_shell_command", isError: true });
    expect(Date.now() - cancelled).toBeLessThan(10_000);
    // ...and neither is left afterwards.
    expect(processesWith(`Wait for ${marker}`)).toEqual([]);
    expect(processesWith(`sleep 45; echo ${marker}`)).toEqual([]);
  });

  it("a slow model past the time limit: turn_timeout error, failed, CLI gone", async () => {
    const h = await harness();
    const turn = (text: string, overrides: Partial<TurnRequest>) => h.run(h.request(text, overrides));
    await expectTurnTimeout({ model: h.model, turn, limitSeconds: 8, withinMs: 20_000 });
  });
});
