/**
 * The Codex parser on output recorded from codex 0.169.0 driven against the testkit's scripted
 * model (fixtures/codex-*.jsonl, made by fixtures/record-codex-fixtures.test.ts), and on input it
 * should survive. Expected ids and figures are read from the records themselves (the launch:
 * codex-launch.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentEvent, listedPriceOf } from "@nightshift/protocol";
import { afterAll, describe, expect, it } from "vitest";
import type { TurnVerdict } from "./adapter";
import { codex } from "./codex";
import type { TurnRequest } from "./contract";

const scratch = mkdtempSync(join(tmpdir(), "ns-codex-unit-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: join(scratch, "empty-home"),
  model: "gpt-5.5",
  maxTurns: 3,
  timeoutMs: 60_000,
  env: { OPENAI_BASE_URL: "http://127.0.0.1:4100/relay/openai/v1", OPENAI_API_KEY: "sk-placeholder" },
  signal: new AbortController().signal,
};

function parseLines(
  lines: string[],
  req: TurnRequest = request,
): { events: AgentEvent[]; verdict: TurnVerdict } {
  const parser = codex.createParser(req, codex.launch(req));
  const events = lines.flatMap((line) => parser.parseLine(line));
  for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
  return { events, verdict: parser.finish() };
}

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/codex-${name}.jsonl`, import.meta.url), "utf8");
}

const parseFixture = (name: string, req: TurnRequest = request) => parseLines(fixture(name).split("\n"), req);

interface RawUsage {
  input_tokens: number;
  output_tokens: number;
}

/** The fixture's own records, read without the parser: what the events must carry. */
function raw(name: string) {
  const records = fixture(name)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { type: string; thread_id?: string; usage?: RawUsage });
  return {
    threadId: records.find((r) => r.type === "thread.started")!.thread_id!,
    usage: records.find((r) => r.type === "turn.completed")?.usage,
  };
}

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

const gpt55 = listedPriceOf("openai", "gpt-5.5")!;
const listCost = (input: number, output: number) => (input * gpt55.input + output * gpt55.output) / 1_000_000;

describe("codex parser on recorded output", () => {
  it("text turn: the whole message (Codex prints no deltas), usage at list price, summary and thread id", () => {
    const { events, verdict } = parseFixture("text");
    const { threadId, usage } = raw("text");
    expect(ofType(events, "message.delta")).toEqual([]);
    expect(ofType(events, "message")).toEqual([
      { type: "message", messageId: "p1:item_0", role: "assistant", text: "Hello from the scripted model." },
    ]);
    expect(ofType(events, "usage")).toEqual([
      {
        type: "usage",
        inputTokens: usage!.input_tokens,
        outputTokens: usage!.output_tokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: listCost(usage!.input_tokens, usage!.output_tokens),
        model: "gpt-5.5",
      },
    ]);
    expect(ofType(events, "error")).toEqual([]);
    expect(verdict).toEqual({
      finished: true,
      failed: false,
      sessionId: threadId,
      summary: "Hello from the scripted model.",
      unfinishedTools: [],
    });
  });

  it("shell turn: tool.start then the paired tool.end with the command's output", () => {
    const { events } = parseFixture("shell");
    const command = "/bin/bash -lc 'echo tool-ran > ran.txt && cat ran.txt'";
    const [start] = ofType(events, "tool.start");
    const [end] = ofType(events, "tool.end");
    expect(start).toEqual({ type: "tool.start", toolId: "p1:item_0", name: "shell", input: { command } });
    expect(end).toEqual({
      type: "tool.end",
      toolId: "p1:item_0",
      name: "shell",
      output: "tool-ran\n",
      isError: false,
    });
    expect(events.indexOf(start!)).toBeLessThan(events.indexOf(end!));
    expect(ofType(events, "message").at(-1)?.text).toBe("The command printed tool-ran.");
  });

  it("a command that exits non-zero is a failed tool call, not a failed turn", () => {
    const { events, verdict } = parseFixture("failed-command");
    expect(ofType(events, "tool.end")).toEqual([
      { type: "tool.end", toolId: "p1:item_0", name: "shell", output: "oops\n", isError: true },
    ]);
    expect(verdict).toMatchObject({ finished: true, failed: false });
  });

  it("write turn: the apply_patch call names the file it added", () => {
    const { events, verdict } = parseFixture("write");
    const changes = [{ path: "/tmp/nightshift-fixture/work/hello.txt", kind: "add" }];
    expect(ofType(events, "tool.start")).toEqual([
      { type: "tool.start", toolId: "p1:item_0", name: "apply_patch", input: { changes } },
    ]);
    expect(ofType(events, "tool.end")).toEqual([
      {
        type: "tool.end",
        toolId: "p1:item_0",
        name: "apply_patch",
        output: "add /tmp/nightshift-fixture/work/hello.txt",
        isError: false,
      },
    ]);
    expect(verdict.summary).toBe("Wrote hello.txt.");
  });

  it("resumed turn: usage is this turn's, not the thread's running total Codex reports", () => {
    const textThread = raw("text").threadId;
    const home = join(scratch, "resumed-home");
    const day = join(home, ".codex", "sessions", "2026", "12", "04");
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, `rollout-2026-12-04T22-57-43-${textThread}.jsonl`), fixture("text-rollout"));
    const resumed = { ...request, home, resumeSessionId: textThread };
    const { events, verdict } = parseFixture("resume", resumed);
    const before = raw("text").usage!;
    const total = raw("resume").usage!;
    expect(total.input_tokens).toBeGreaterThan(before.input_tokens * 1.5); // the recording resumed it
    const [usage] = ofType(events, "usage");
    const input = total.input_tokens - before.input_tokens;
    const output = total.output_tokens - before.output_tokens;
    expect(usage).toMatchObject({
      inputTokens: input,
      outputTokens: output,
      costUsd: listCost(input, output),
    });
    expect(verdict.sessionId).toBe(textThread);
  });

  it("401: one error naming OPENAI_API_KEY with the API's words, no usage, failed", () => {
    const { events, verdict } = parseFixture("error");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("OPENAI_API_KEY");
    expect(errors[0]!.message).toContain("invalid x-api-key");
    expect(ofType(events, "usage")).toEqual([]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("a Reconnecting line is a log event, not a failure; the final error is the one error", () => {
    const { events, verdict } = parseFixture("error-retried");
    const logs = ofType(events, "log");
    expect(logs).toHaveLength(1);
    expect(logs[0]!.text).toMatch(/^model call failed; Reconnecting\.\.\. 1\/1 \(unexpected status 401/);
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["model_auth_failed"]);
    expect(verdict.failed).toBe(true);
  });

  it.each([
    ["server-error", "model_api_error", /failed \(503\).*upstream is down/],
    ["unreachable", "model_unreachable", /check OPENAI_BASE_URL.*Connection failed/],
  ])("%s: error code %s, once", (name, code, message) => {
    const { events, verdict } = parseFixture(name);
    const errors = ofType(events, "error");
    expect(errors.map((e) => e.code)).toEqual([code]);
    expect(errors[0]!.message).toMatch(message);
    expect(verdict.failed).toBe(true);
  });

  it("a warning item (unknown model metadata) is a log event and the turn completes", () => {
    const { events, verdict } = parseFixture("unknown-model", {
      ...request,
      model: "nightshift-scripted-model",
    });
    expect(ofType(events, "log").map((e) => e.text)).toEqual([
      expect.stringMatching(/^Model metadata for `nightshift-scripted-model` not found/),
    ]);
    // A model the price table does not know: tokens, cost unknown (absent), never $0.
    const [usage] = ofType(events, "usage");
    expect(usage).toBeDefined();
    expect(usage).not.toHaveProperty("costUsd");
    expect(verdict).toMatchObject({ finished: true, failed: false, summary: "Hello anyway." });
  });
});

describe("codex parser on unexpected input", () => {
  const line = (value: unknown) => JSON.stringify(value);

  it("keeps non-JSON lines as log events and ignores unknown or malformed records", () => {
    const { events, verdict } = parseLines([
      "Warning: something on stdout",
      "",
      "[1,2,3]",
      line({ type: "something_new" }),
      line({ type: "item.completed", item: "not an object" }),
      line({ type: "item.completed", item: { id: "i", type: "reasoning", text: "thinking" } }),
      line({ type: "turn.completed", usage: "garbage" }),
    ]);
    expect(events).toEqual([
      { type: "log", source: "codex", stream: "stdout", text: "Warning: something on stdout" },
      { type: "log", source: "codex", stream: "stdout", text: "[1,2,3]" },
    ]);
    expect(verdict).toMatchObject({ finished: true, failed: false });
  });

  it.each([
    ["exceeded retry limit, last status: 429 Too Many Requests", "model_rate_limited"],
    ["We’re currently experiencing high demand, which may cause temporary errors.", "model_api_error"],
    [
      '{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}',
      "model_bad_request",
    ],
    ["unexpected status 403 Forbidden: nope, url: http://127.0.0.1:1/v1/responses", "model_forbidden"],
    ["stream disconnected before completion: idle timeout", "model_unreachable"],
    ["the sandbox ran out of disk", "agent_failed"],
  ])("turn.failed %j → %s", (message, code) => {
    const { events, verdict } = parseLines([
      line({ type: "error", message }),
      line({ type: "turn.failed", error: { message } }),
    ]);
    expect(ofType(events, "error").map((e) => e.code)).toEqual([code]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("an error record Codex carries on from is a log line; one without turn.failed after it names its cause", () => {
    const carried = parseLines([
      line({ type: "error", message: "MCP server docs failed to start" }),
      line({ type: "item.completed", item: { id: "item_0", type: "agent_message", text: "Done anyway." } }),
      line({ type: "turn.completed", usage: { input_tokens: 10, output_tokens: 2 } }),
    ]);
    expect(ofType(carried.events, "error")).toEqual([]);
    expect(ofType(carried.events, "log").map((e) => e.text)).toEqual([
      "Codex reported an error and carried on: MCP server docs failed to start",
    ]);
    expect(carried.verdict).toMatchObject({ finished: true, failed: false, summary: "Done anyway." });

    const failed = parseLines([
      line({ type: "error", message: "unexpected status 429 Too Many Requests: slow down" }),
      line({ type: "turn.failed", error: {} }),
    ]);
    expect(ofType(failed.events, "error").map((e) => e.code)).toEqual(["model_rate_limited"]);
  });

  it("MCP and web search items pair by id; a completed item without a start gets both", () => {
    const { events } = parseLines([
      line({
        type: "item.started",
        item: {
          id: "item_0",
          type: "mcp_tool_call",
          server: "docs",
          tool: "find",
          arguments: { q: "x" },
          status: "in_progress",
        },
      }),
      line({
        type: "item.completed",
        item: {
          id: "item_0",
          type: "mcp_tool_call",
          server: "docs",
          tool: "find",
          arguments: { q: "x" },
          result: { content: [] },
          error: null,
          status: "completed",
        },
      }),
      line({ type: "item.completed", item: { id: "item_1", type: "web_search", query: "nightshift" } }),
      line({
        type: "item.completed",
        item: {
          id: "item_2",
          type: "mcp_tool_call",
          server: "docs",
          tool: "find",
          error: { message: "server gone" },
          status: "failed",
        },
      }),
    ]);
    expect(events.map((e) => [e.type, "toolId" in e ? e.toolId : ""])).toEqual([
      ["tool.start", "p1:item_0"],
      ["tool.end", "p1:item_0"],
      ["tool.start", "p1:item_1"],
      ["tool.end", "p1:item_1"],
      ["tool.start", "p1:item_2"],
      ["tool.end", "p1:item_2"],
    ]);
    expect(ofType(events, "tool.start")[0]).toMatchObject({
      name: "docs.find",
      input: { arguments: { q: "x" } },
    });
    expect(ofType(events, "tool.end")[2]).toMatchObject({ output: "server gone", isError: true });
  });

  it("output cut off mid-tool: unfinished, with the open tool named; huge output is bounded", () => {
    const huge = "x".repeat(200_000);
    const { events, verdict } = parseLines([
      line({ type: "thread.started", thread_id: "t-1" }),
      line({
        type: "item.started",
        item: { id: "item_0", type: "command_execution", command: huge, status: "in_progress" },
      }),
      line({
        type: "item.started",
        item: { id: "item_1", type: "command_execution", command: "ls", status: "in_progress" },
      }),
      line({
        type: "item.completed",
        item: {
          id: "item_1",
          type: "command_execution",
          command: "ls",
          aggregated_output: huge,
          exit_code: 0,
          status: "completed",
        },
      }),
    ]);
    const [start] = ofType(events, "tool.start");
    expect((start!.input as { command: string }).command.length).toBeLessThanOrEqual(16 * 1024);
    expect(ofType(events, "tool.end")[0]!.output).toMatch(/more characters cut\]$/);
    expect(verdict).toMatchObject({ finished: false, failed: false, sessionId: "t-1" });
    expect(verdict.unfinishedTools).toEqual([{ toolId: "p1:item_0", name: "shell" }]);
  });

  it("without OPENAI_BASE_URL a connection failure says the variable is missing", () => {
    const { events } = parseLines(fixture("unreachable").split("\n"), { ...request, env: {} });
    expect(ofType(events, "error")).toEqual([
      {
        type: "error",
        code: "model_unreachable",
        message: expect.stringMatching(/^OPENAI_BASE_URL is not set/),
      },
    ]);
  });
});
