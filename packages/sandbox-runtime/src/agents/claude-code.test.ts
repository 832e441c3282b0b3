/**
 * The Claude Code parser on output recorded from claude 2.1.330 driven against the testkit's
 * scripted model (fixtures/claude-*.jsonl, made by fixtures/record-claude-fixtures.test.ts), and the
 * launch it builds. Expected ids and figures are read from the records themselves.
 */
import { readFileSync } from "node:fs";
import { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { TurnVerdict } from "./adapter";
import { claudeCode } from "./claude-code";
import type { TurnRequest } from "./contract";

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: "/work/home",
  maxTurns: 3,
  timeoutMs: 60_000,
  env: {},
  signal: new AbortController().signal,
};

function parseLines(
  lines: string[],
  req: TurnRequest = request,
): { events: AgentEvent[]; verdict: TurnVerdict } {
  const parser = claudeCode.createParser(req, claudeCode.launch(req));
  const events = lines.flatMap((line) => parser.parseLine(line));
  // Everything the parser emits must be valid on the wire.
  for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
  return { events, verdict: parser.finish() };
}

function fixtureLines(name: string): string[] {
  return readFileSync(new URL(`./fixtures/claude-${name}.jsonl`, import.meta.url), "utf8").split("\n");
}

function parseFixture(name: string) {
  return parseLines(fixtureLines(name));
}

interface RawResult {
  session_id: string;
  total_cost_usd: number;
  usage: { input_tokens: number; output_tokens: number };
  model_usage_since_last_result: Record<string, { costUSD: number }>;
}

/** The fixture's own records, read without the parser: what the events must carry. */
function rawRecords(name: string) {
  const records = fixtureLines(name)
    .filter((line) => line.trim() !== "")
    .map(
      (line) =>
        JSON.parse(line) as {
          type: string;
          message?: { id: string; content: { type: string; id?: string }[] };
        },
    );
  const result = records.find((r) => r.type === "result") as unknown as RawResult;
  const assistants = records.filter((r) => r.type === "assistant").map((r) => r.message!);
  return { result, assistants };
}

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

describe("claude-code parser on recorded output", () => {
  it("text turn: deltas, the whole message, per-invocation usage, summary and session id", () => {
    const { events, verdict } = parseFixture("text");
    const { result, assistants } = rawRecords("text");
    const messageId = assistants[0]!.id;
    const deltas = ofType(events, "message.delta");
    expect(deltas).toHaveLength(3); // the scripted reply streamed in 3 pieces
    expect(deltas.map((d) => d.text).join("")).toBe("Hello from the scripted model.");
    expect(new Set(deltas.map((d) => d.messageId))).toEqual(new Set([messageId]));
    expect(ofType(events, "message")).toEqual([
      { type: "message", messageId, role: "assistant", text: "Hello from the scripted model." },
    ]);
    expect(ofType(events, "usage")).toEqual([
      {
        type: "usage",
        inputTokens: result.usage.input_tokens,
        outputTokens: result.usage.output_tokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: result.model_usage_since_last_result["claude-sonnet-4-5"]!.costUSD,
        model: "claude-sonnet-4-5",
      },
    ]);
    expect(result.usage.input_tokens).toBeGreaterThan(0);
    expect(ofType(events, "error")).toEqual([]);
    expect(verdict).toEqual({
      finished: true,
      failed: false,
      sessionId: result.session_id,
      summary: "Hello from the scripted model.",
      unfinishedTools: [],
    });
  });

  it("shell turn: tool.start then the paired tool.end with the command's output", () => {
    const { events } = parseFixture("shell");
    const toolId = rawRecords("shell")
      .assistants.flatMap((m) => m.content)
      .find((c) => c.type === "tool_use")!.id!;
    const start = ofType(events, "tool.start");
    const end = ofType(events, "tool.end");
    expect(start).toEqual([
      {
        type: "tool.start",
        toolId,
        name: "Bash",
        input: { command: "echo tool-ran > ran.txt && cat ran.txt", description: "run a command" },
      },
    ]);
    expect(end).toEqual([{ type: "tool.end", toolId, name: "Bash", output: "tool-ran", isError: false }]);
    expect(events.indexOf(start[0]!)).toBeLessThan(events.indexOf(end[0]!));
    expect(ofType(events, "message").at(-1)?.text).toBe("The command printed tool-ran.");
  });

  it("write turn: the Write call with its path, and the CLI's confirmation", () => {
    const { events, verdict } = parseFixture("write");
    const [start] = ofType(events, "tool.start");
    expect(start).toMatchObject({
      name: "Write",
      input: { file_path: "/tmp/nightshift-fixture/work/hello.txt" },
    });
    const [end] = ofType(events, "tool.end");
    expect(end?.output).toMatch(/^File created successfully at: \/tmp\/nightshift-fixture\/work\/hello\.txt/);
    expect(verdict.summary).toBe("Wrote hello.txt.");
  });

  it("resumed turn: cost is this invocation's, not the session's cumulative total_cost_usd", () => {
    const { events, verdict } = parseFixture("resume");
    const { result } = rawRecords("resume");
    const perInvocation = result.model_usage_since_last_result["claude-sonnet-4-5"]!.costUSD;
    // The recording resumed the text session, so the cumulative figure is larger.
    expect(result.total_cost_usd).toBeGreaterThan(perInvocation * 1.5);
    const [usage] = ofType(events, "usage");
    expect(usage?.costUsd).toBe(perInvocation);
    expect(verdict.sessionId).toBe(rawRecords("text").result.session_id);
  });

  it("401: one error telling to set the key, no message of the synthetic text, failed", () => {
    const { events, verdict } = parseFixture("error");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("ANTHROPIC_API_KEY");
    expect(errors[0]!.message).toContain("Invalid API key");
    expect(ofType(events, "message")).toEqual([]);
    expect(ofType(events, "usage")).toEqual([]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("max turns: failed tool result flagged, usage kept, a max_turns error naming the cap", () => {
    const { events, verdict } = parseFixture("max-turns");
    expect(ofType(events, "tool.end")[0]).toMatchObject({ output: "Exit code 1", isError: true });
    expect(ofType(events, "usage")).toHaveLength(1);
    const [error] = ofType(events, "error");
    expect(error?.code).toBe("max_turns");
    expect(error?.message).toContain("NIGHTSHIFT_MAX_TURNS");
    expect(verdict.failed).toBe(true);
  });

  it.each([
    ["overloaded", "model_overloaded"],
    ["unreachable", "model_unreachable"],
  ])("%s: error code %s, once", (fixture, code) => {
    const { events, verdict } = parseFixture(fixture);
    expect(ofType(events, "error").map((e) => e.code)).toEqual([code]);
    expect(verdict.failed).toBe(true);
  });
});

describe("claude-code parser on unexpected input", () => {
  it("keeps non-JSON lines as log events and ignores unknown or malformed records", () => {
    const { events, verdict } = parseLines([
      "Warning: something on stdout",
      "",
      "[1,2,3]",
      '{"type":"something_new","x":1}',
      '{"type":"assistant","message":"not an object"}',
      '{"type":"user","message":{"content":[{"type":"tool_result"}]}}',
      '{"type":"result","usage":"garbage"}',
    ]);
    expect(events).toEqual([
      { type: "log", source: "claude-code", stream: "stdout", text: "Warning: something on stdout" },
      { type: "log", source: "claude-code", stream: "stdout", text: "[1,2,3]" },
    ]);
    expect(verdict.finished).toBe(true);
  });

  it("cuts huge tool output and input strings, and strips reminders meant for the model", () => {
    const huge = "x".repeat(200_000);
    const { events } = parseLines([
      JSON.stringify({
        type: "assistant",
        message: {
          id: "m1",
          content: [{ type: "tool_use", id: "t1", name: "Write", input: { file_path: "/a", content: huge } }],
        },
      }),
      JSON.stringify({
        type: "user",
        message: {
          content: [
            {
              type: "tool_result",
              tool_use_id: "t1",
              content: [{ type: "text", text: `${huge}` }, { type: "image" }],
            },
            {
              type: "tool_result",
              tool_use_id: "t2",
              content: "ok\n\n<system-reminder>internal</system-reminder>",
            },
          ],
        },
      }),
    ]);
    const [start] = ofType(events, "tool.start");
    expect((start!.input as { content: string }).content.length).toBeLessThanOrEqual(16 * 1024);
    const [big, small] = ofType(events, "tool.end");
    expect(big!.output.length).toBeLessThanOrEqual(32 * 1024);
    expect(big!.output).toMatch(/more characters cut\]$/);
    expect(small).toMatchObject({ toolId: "t2", output: "ok", isError: false });
  });

  it("reports a sub-agent's tool calls but not its text or deltas", () => {
    const { events } = parseLines([
      JSON.stringify({
        type: "assistant",
        parent_tool_use_id: "task_1",
        message: {
          id: "m2",
          content: [
            { type: "text", text: "sub-agent thinking" },
            { type: "tool_use", id: "t9", name: "Read", input: {} },
          ],
        },
      }),
      JSON.stringify({
        type: "stream_event",
        parent_tool_use_id: "task_1",
        event: { type: "content_block_delta", delta: { type: "text_delta", text: "sub" } },
      }),
    ]);
    expect(events.map((e) => e.type)).toEqual(["tool.start"]);
  });

  it("turns api_retry records into progress logs", () => {
    const { events } = parseLines([
      '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":2,"retry_delay_ms":1200,"error_status":529,"error":"overloaded"}',
    ]);
    expect(events).toEqual([
      {
        type: "log",
        source: "claude-code",
        stream: "stdout",
        text: "model call failed (529 overloaded); retry 1/2 in 1.2 s",
      },
    ]);
  });

  it("without a result record the verdict is unfinished and names tool calls left without a result", () => {
    const { verdict } = parseLines([
      '{"type":"system","subtype":"init","session_id":"s-1"}',
      JSON.stringify({
        type: "assistant",
        message: {
          id: "m1",
          content: [
            { type: "tool_use", id: "t1", name: "Bash", input: {} },
            { type: "tool_use", id: "t2", name: "Read", input: {} },
          ],
        },
      }),
      JSON.stringify({
        type: "user",
        message: { content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
      }),
    ]);
    expect(verdict).toMatchObject({ finished: false, failed: false, sessionId: "s-1" });
    expect(verdict.unfinishedTools).toEqual([{ toolId: "t2", name: "Read" }]);
  });
});

describe("claude-code launch", () => {
  it("starts a new session with a chosen id, headless, permissions skipped, prompt after --", () => {
    const launch = claudeCode.launch({ ...request, model: "claude-sonnet-4-5", text: "--help me" });
    expect(launch.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(launch.args).toEqual([
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-partial-messages",
      "--dangerously-skip-permissions",
      "--max-turns",
      "3",
      "--model",
      "claude-sonnet-4-5",
      "--session-id",
      launch.sessionId,
      "--",
      "--help me",
    ]);
    expect(launch.env).toMatchObject({
      IS_SANDBOX: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_MAX_RETRIES: "2",
      CLAUDE_CONFIG_DIR: "/work/home/.claude",
    });
  });

  it("resumes the given session", () => {
    const launch = claudeCode.launch({ ...request, resumeSessionId: "abc-123" });
    expect(launch.sessionId).toBe("abc-123");
    expect(launch.args).toContain("--resume");
    expect(launch.args).not.toContain("--session-id");
    expect(launch.args[launch.args.indexOf("--resume") + 1]).toBe("abc-123");
    expect(launch.args).not.toContain("--model");
  });
});
