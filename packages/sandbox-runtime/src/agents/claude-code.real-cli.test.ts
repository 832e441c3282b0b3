/**
 * The real `claude` CLI (the @anthropic-ai/claude-code version the runtime depends on) driven by
 * `runTurn` against the testkit's scripted model on 127.0.0.1. Each test has its own HOME, cwd
 * and model server.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import type { TurnRequest } from "./contract";
import {
  checkedTurns,
  expectTurnTimeout,
  harnessWithOwnModel,
  type ModelHarness,
  ofType,
  processesWith,
} from "./test-support/real-cli-harness";

const API_KEY = "sk-ant-scripted-test";
const run = checkedTurns("claude-code");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function harness(options: { autopilot?: boolean } = {}): Promise<ModelHarness> {
  return harnessWithOwnModel({
    run,
    apiKey: API_KEY,
    workspacePrefix: "ns-claude-",
    defaults: (model) => ({
      model: "claude-sonnet-4-5",
      timeoutMs: 30_000,
      env: { ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: API_KEY, CLAUDE_CODE_MAX_RETRIES: "0" },
    }),
    onCleanup: (cleanup) => cleanups.push(cleanup),
    ...options,
  });
}

describe("runTurn with the real claude CLI", () => {
  it("text turn: streamed deltas, the message, usage, summary and a session id", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "text", text: "Hello from the scripted model.", chunks: 4 });
    const { result, events } = await h.run(h.request("Say hello"));

    expect(result).toMatchObject({ status: "completed", summary: "Hello from the scripted model." });
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      ofType(events, "message.delta")
        .map((d) => d.text)
        .join(""),
    ).toBe("Hello from the scripted model.");
    expect(ofType(events, "message").map((m) => m.text)).toEqual(["Hello from the scripted model."]);
    const [usage] = ofType(events, "usage");
    expect(usage?.inputTokens).toBeGreaterThan(100);
    expect(usage?.costUsd).toBeGreaterThan(0);
    const calls = h.model.requests.filter((r) => r.method === "POST");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe("/v1/messages?beta=true");
    expect(calls[0]!.headers["x-api-key"]).toBe(API_KEY);
  });

  it("Bash tool call: tool.start and the paired tool.end carry the command and its output", async () => {
    const h = await harness();
    h.model.enqueue(
      {
        kind: "tool",
        name: "Bash",
        input: { command: "echo tool-ran > ran.txt && cat ran.txt", description: "run it" },
      },
      { kind: "text", text: "It ran." },
    );
    const { result, events } = await h.run(h.request("Run the command"));
    expect(result.status).toBe("completed");
    const [start] = ofType(events, "tool.start");
    const [end] = ofType(events, "tool.end");
    expect(start).toMatchObject({
      name: "Bash",
      input: { command: "echo tool-ran > ran.txt && cat ran.txt" },
    });
    expect(end).toMatchObject({ toolId: start!.toolId, name: "Bash", output: "tool-ran", isError: false });
    expect(readFileSync(join(h.cwd, "ran.txt"), "utf8")).toBe("tool-ran\n");
  });

  it("Write tool call: the file exists in the working directory", async () => {
    const h = await harness();
    h.model.enqueue(
      {
        kind: "tool",
        name: "Write",
        input: { file_path: join(h.cwd, "hello.txt"), content: "Hello, World!\n" },
      },
      { kind: "text", text: "Wrote it." },
    );
    const { result, events } = await h.run(h.request("Create hello.txt"));
    expect(result).toMatchObject({ status: "completed", summary: "Wrote it." });
    expect(readFileSync(join(h.cwd, "hello.txt"), "utf8")).toBe("Hello, World!\n");
    expect(ofType(events, "tool.end")[0]?.output).toContain("File created successfully");
  });

  it("the keyless demo: autopilot on the CLI's default model writes the named file and sums it up", async () => {
    const h = await harness({ autopilot: true });
    const { result, events } = await h.run(
      h.request("Please add docs/usage.md about the CLI", { model: undefined }),
    );
    expect(result.status).toBe("completed");
    expect(readFileSync(join(h.cwd, "docs", "usage.md"), "utf8")).toContain(
      "Requested change: Please add docs/usage.md",
    );
    expect(ofType(events, "tool.start")[0]).toMatchObject({
      name: "Write",
      input: { file_path: join(h.cwd, "docs/usage.md") },
    });
    expect(result.summary).toMatch(/^I wrote usage\.md/);
  });

  it("a prompt over Linux's 128 KiB argument limit reaches the model whole (on stdin)", async () => {
    const h = await harness();
    h.model.enqueue({ kind: "text", text: "Read it all." });
    // 100,000 characters of a three-byte script: 300 KB, far past what one argv element may hold.
    const prompt = `Summarise: ${"漢".repeat(99_000)} END-OF-PROMPT`;
    const { result } = await h.run(h.request(prompt));
    expect(result.status).toBe("completed");
    const call = h.model.requests.find((r) => r.method === "POST");
    expect(JSON.stringify(call?.body)).toContain("END-OF-PROMPT");
  });

  it("a rejected key fails fast with an error saying to set ANTHROPIC_API_KEY", async () => {
    const h = await harness();
    const started = Date.now();
    const request = h.request("Say hello");
    const { result, events } = await h.run({
      ...request,
      env: { ...request.env, ANTHROPIC_API_KEY: "sk-wrong-key" },
    });
    expect(result.status).toBe("failed");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("ANTHROPIC_API_KEY");
    expect(Date.now() - started).toBeLessThan(15_000);
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

    const last = h.model.requests.filter((r) => r.method === "POST").at(-1)!.body as { messages: unknown[] };
    const history = JSON.stringify(last.messages);
    expect(history).toContain("Remember a word for me");
    expect(history).toContain("The secret word is heliotrope.");
    expect(history).toContain("Which word was it?");
  });

  it("cancelling kills the CLI's whole process group, tools included", async () => {
    const h = await harness();
    const marker = randomUUID().slice(0, 8);
    // Claude Code refuses a bare `sleep`; `tail -f` on a file named after the marker waits as long.
    writeFileSync(join(h.cwd, `wait-${marker}.log`), "");
    h.model.enqueue({
      kind: "tool",
      name: "Bash",
      input: { command: `tail -f wait-${marker}.log`, description: "wait" },
    });
    const controller = new AbortController();
    const request = h.request(`Wait for ${marker} seconds`, { signal: controller.signal });
    const turn = h.run(request);

    // Both the CLI (its argv holds the prompt) and the tool's `sleep` are running...
    await waitFor(() => processesWith(`Wait for ${marker}`)[0], "the claude process");
    await waitFor(() => processesWith(`tail -f wait-${marker}.log`)[0], "the tool");
    const cancelled = Date.now();
    controller.abort();
    const { result, events } = await turn;

    expect(result.status).toBe("cancelled");
    expect(ofType(events, "error")).toEqual([]);
    // The tool ends as a failure exactly once: reported by the CLI as it dies, or closed by the runner.
    const [start] = ofType(events, "tool.start");
    const ends = ofType(events, "tool.end");
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ toolId: start!.toolId, name: "Bash", isError: true });
    expect(Date.now() - cancelled).toBeLessThan(5_000);
    // ...and neither is left afterwards.
    expect(processesWith(`Wait for ${marker}`)).toEqual([]);
    expect(processesWith(`tail -f wait-${marker}.log`)).toEqual([]);
  });

  it("a slow model past the time limit: turn_timeout error, failed, CLI gone", async () => {
    const h = await harness();
    const turn = (text: string, overrides: Partial<TurnRequest>) => h.run(h.request(text, overrides));
    await expectTurnTimeout({ model: h.model, turn, limitSeconds: 3, withinMs: 10_000 });
  });
});
