/**
 * The Pi parser on output recorded from pi 0.73.1 driven against the testkit's scripted model
 * (fixtures/pi-*.jsonl, made by fixtures/record-pi-fixtures.test.ts), and the launch it builds.
 * Expected ids and figures are read from the records themselves.
 */
import { readFileSync } from "node:fs";
import { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it, vi } from "vitest";
import type { TurnVerdict } from "./adapter";
import type { TurnRequest } from "./contract";
import { pi } from "./pi";

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: "/work/home",
  model: "claude-sonnet-4-5",
  maxTurns: 3,
  timeoutMs: 60_000,
  env: {},
  signal: new AbortController().signal,
};

function parseLines(
  lines: string[],
  req: TurnRequest = request,
): { events: AgentEvent[]; verdict: TurnVerdict } {
  const parser = pi.createParser(req, pi.launch(req));
  const events = lines.flatMap((line) => parser.parseLine(line));
  for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
  return { events, verdict: parser.finish() };
}

function fixtureLines(name: string): string[] {
  return readFileSync(new URL(`./fixtures/pi-${name}.jsonl`, import.meta.url), "utf8").split("\n");
}

const parseFixture = (name: string, req: TurnRequest = request) => parseLines(fixtureLines(name), req);

interface RawUsage {
  input: number;
  output: number;
  cost: { total: number };
}

/** The fixture's own records, read without the parser: what the events must carry. */
function rawRecords(name: string) {
  const records = fixtureLines(name)
    .filter((line) => line.trim() !== "")
    .map(
      (line) =>
        JSON.parse(line) as { type: string; id?: string; message?: { role: string; usage?: RawUsage } },
    );
  const sessionId = records.find((r) => r.type === "session")?.id;
  const usages = records
    .filter((r) => r.type === "message_end" && r.message?.role === "assistant")
    .map((r) => r.message!.usage!);
  const sum = (pick: (u: RawUsage) => number) => usages.reduce((total, u) => total + pick(u), 0);
  return {
    sessionId,
    input: sum((u) => u.input),
    output: sum((u) => u.output),
    cost: sum((u) => u.cost.total),
  };
}

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

const line = (record: object) => JSON.stringify(record);
const assistantEnd = (fields: object) =>
  line({ type: "message_end", message: { role: "assistant", content: [], stopReason: "stop", ...fields } });

describe("pi parser on recorded output", () => {
  it("text turn: streamed deltas and the message share an id; usage with Pi's cost; summary and session id", () => {
    const { events, verdict } = parseFixture("text");
    const raw = rawRecords("text");
    const deltas = ofType(events, "message.delta");
    expect(deltas.map((d) => d.text)).toEqual(["Hello from", " the scrip", "ted model."]);
    expect(new Set(deltas.map((d) => d.messageId))).toEqual(new Set(["p1:m1"]));
    expect(ofType(events, "message")).toEqual([
      { type: "message", messageId: "p1:m1", role: "assistant", text: "Hello from the scripted model." },
    ]);
    expect(ofType(events, "usage")).toEqual([
      {
        type: "usage",
        inputTokens: raw.input,
        outputTokens: raw.output,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: raw.cost,
        model: "claude-sonnet-4-5",
      },
    ]);
    expect(raw.cost).toBeGreaterThan(0);
    expect(ofType(events, "error")).toEqual([]);
    expect(verdict).toEqual({
      finished: true,
      failed: false,
      sessionId: raw.sessionId,
      summary: "Hello from the scripted model.",
      unfinishedTools: [],
    });
  });

  it("shell turn: bash tool.start then the paired tool.end; usage sums both model calls", () => {
    const { events } = parseFixture("shell");
    const raw = rawRecords("shell");
    const [start] = ofType(events, "tool.start");
    const [end] = ofType(events, "tool.end");
    expect(start).toEqual({
      type: "tool.start",
      toolId: "toolu_scripted_2",
      name: "bash",
      input: { command: "echo tool-ran > ran.txt && cat ran.txt" },
    });
    expect(end).toEqual({
      type: "tool.end",
      toolId: "toolu_scripted_2",
      name: "bash",
      output: "tool-ran",
      isError: false,
    });
    expect(events.indexOf(start!)).toBeLessThan(events.indexOf(end!));
    const [usage] = ofType(events, "usage");
    expect(usage).toMatchObject({ inputTokens: raw.input, outputTokens: raw.output, costUsd: raw.cost });
    expect(raw.input).toBeGreaterThan(2_000); // two model calls
    // The tool-calling message has no text: only the final one is a message, in its own id.
    expect(ofType(events, "message")).toEqual([
      { type: "message", messageId: "p1:m2", role: "assistant", text: "The command printed tool-ran." },
    ]);
  });

  it("write turn: the write call with its path and content, and Pi's confirmation", () => {
    const { events, verdict } = parseFixture("write");
    expect(ofType(events, "tool.start")[0]).toMatchObject({
      name: "write",
      input: { path: "hello.txt", content: "Hello, World!\n" },
    });
    expect(ofType(events, "tool.end")[0]).toMatchObject({
      output: "Successfully wrote 14 bytes to hello.txt",
      isError: false,
    });
    expect(verdict.summary).toBe("Wrote hello.txt.");
  });

  it("resumed turn: the same session id, and usage for this run only", () => {
    const { events, verdict } = parseFixture("resume");
    const raw = rawRecords("resume");
    expect(verdict.sessionId).toBe(rawRecords("text").sessionId);
    expect(ofType(events, "usage")).toHaveLength(1);
    expect(ofType(events, "usage")[0]).toMatchObject({ inputTokens: raw.input, costUsd: raw.cost });
    expect(verdict.summary).toBe("Second answer.");
  });

  it("a model over Chat Completions: the OpenAI model's usage and Pi's cost at its list price", () => {
    const { events, verdict } = parseFixture("openai-text", { ...request, model: "gpt-5.5" });
    const raw = rawRecords("openai-text");
    expect(ofType(events, "usage")[0]).toMatchObject({
      model: "gpt-5.5",
      inputTokens: raw.input,
      costUsd: raw.cost,
    });
    expect(verdict.summary).toBe("Hello over Chat Completions.");
  });

  it("401 with exit 0: one model_auth_failed error with the API's message, no message, failed", () => {
    const { events, verdict } = parseFixture("error");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain('"invalid x-api-key"');
    expect(errors[0]!.message).toContain("ANTHROPIC_API_KEY");
    expect(ofType(events, "message")).toEqual([]);
    expect(ofType(events, "usage")).toEqual([]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("a failure over another model API names that API's variables", () => {
    const { events } = parseLines(
      [
        assistantEnd({ stopReason: "error", errorMessage: "401 Incorrect API key provided" }),
        line({ type: "agent_end" }),
      ],
      { ...request, model: "gpt-5.5" },
    );
    const [error] = ofType(events, "error");
    expect(error?.code).toBe("model_auth_failed");
    expect(error?.message).toContain("OPENAI_API_KEY");
    expect(error?.message).toContain("Incorrect API key provided");
  });

  it.each([
    ["overloaded", "model_overloaded"],
    ["unreachable", "model_unreachable"],
  ])("%s: error code %s, once", (fixture, code) => {
    const { events, verdict } = parseFixture(fixture);
    expect(ofType(events, "error").map((e) => e.code)).toEqual([code]);
    expect(verdict.failed).toBe(true);
  });

  it("turn cap: the run aborted past the cap fails with max_turns naming it; the spent usage is kept", () => {
    const { events, verdict } = parseFixture("max-turns", { ...request, maxTurns: 1 });
    expect(ofType(events, "tool.end")).toHaveLength(1);
    expect(ofType(events, "usage")[0]?.inputTokens).toBeGreaterThan(0);
    const errors = ofType(events, "error");
    expect(errors.map((e) => e.code)).toEqual(["max_turns"]);
    expect(errors[0]!.message).toContain("after 1 model turns");
    expect(errors[0]!.message).toContain("NIGHTSHIFT_MAX_TURNS");
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });
});

describe("pi parser on unexpected input", () => {
  it("keeps non-JSON lines as log events and ignores unknown or malformed records", () => {
    const { events, verdict } = parseLines([
      "Warning: something on stdout",
      "",
      "[1,2,3]",
      '{"type":"something_new","x":1}',
      '{"type":"message_end","message":"not an object"}',
      '{"type":"tool_execution_end","toolCallId":""}',
      '{"type":"message_update","assistantMessageEvent":{"type":"text_delta","delta":"x"}}',
    ]);
    expect(events).toEqual([
      { type: "log", source: "pi", stream: "stdout", text: "Warning: something on stdout" },
      { type: "log", source: "pi", stream: "stdout", text: "[1,2,3]" },
    ]);
    expect(verdict.finished).toBe(false);
  });

  it("streamed tool-call chunks and tool progress are skipped unread; text deltas are still read", () => {
    const huge = "y".repeat(1_000_000);
    const update = (type: string, delta: string) =>
      line({
        type: "message_update",
        assistantMessageEvent: { type, delta, partial: { content: huge } },
        message: {},
      });
    const skipped = [
      update("toolcall_delta", '{"path":'),
      line({
        type: "tool_execution_update",
        toolCallId: "t1",
        partialResult: { content: [{ type: "text", text: huge }] },
      }),
    ];
    const parse = vi.spyOn(JSON, "parse");
    try {
      const { events } = parseLines([
        line({ type: "message_start", message: { role: "assistant", content: [] } }),
        ...skipped,
        update("text_delta", "Hi"),
      ]);
      expect(events).toEqual([{ type: "message.delta", messageId: "p1:m1", text: "Hi" }]);
      expect(parse.mock.calls.filter(([text]) => skipped.includes(text as string))).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  it("a model the price table does not know: tokens with no cost (unknown), not Pi's $0", () => {
    const req = { ...request, model: "my-local-llm" };
    const usage = { input: 100, output: 20, cacheRead: 0, cacheWrite: 0, cost: { total: 0 } };
    const { events } = parseLines(
      [
        assistantEnd({ content: [{ type: "text", text: "hi" }], model: "my-local-llm", usage }),
        line({ type: "agent_end" }),
      ],
      req,
    );
    const [event] = ofType(events, "usage");
    expect(event).toMatchObject({ inputTokens: 100, outputTokens: 20, model: "my-local-llm" });
    expect(event).not.toHaveProperty("costUsd");
  });

  it("agent_end dropped as too long still ends the run at the last turn_end; one cut short does not", () => {
    const lines = fixtureLines("text").filter((l) => l.trim() !== "");
    const agentEnd = lines.pop()!;
    expect(parseLines(lines).verdict).toMatchObject({ finished: true, failed: false });
    const cut = parseLines([...lines, agentEnd.slice(0, agentEnd.length / 2)]);
    expect(cut.verdict.finished).toBe(false);
  });

  it("Pi's own retry (a repository can turn it on) logs the attempt and lets the retried call decide", () => {
    const failed = assistantEnd({ stopReason: "error", errorMessage: "529 overloaded" });
    const { events, verdict } = parseLines([
      failed,
      line({ type: "agent_end" }),
      line({
        type: "auto_retry_start",
        attempt: 1,
        maxAttempts: 2,
        delayMs: 2000,
        errorMessage: "529 overloaded",
      }),
      assistantEnd({ content: [{ type: "text", text: "Recovered." }] }),
      line({ type: "agent_end" }),
    ]);
    expect(ofType(events, "log").map((e) => e.text)).toEqual([
      "model call failed (529 overloaded); retry 1/2 in 2.0 s",
    ]);
    expect(verdict).toMatchObject({ finished: true, failed: false, summary: "Recovered." });
  });

  it("an abort below the cap is a stop from outside: no error, not finished (the runner decides)", () => {
    const { events, verdict } = parseLines([
      line({ type: "turn_start" }),
      assistantEnd({ stopReason: "aborted", errorMessage: "Request was aborted." }),
      line({ type: "agent_end" }),
    ]);
    expect(ofType(events, "error")).toEqual([]);
    expect(verdict).toMatchObject({ finished: false, failed: false });
  });

  it("without an end record the verdict is unfinished and names tool calls left without a result", () => {
    const { verdict } = parseLines([
      line({ type: "session", id: "01a2433d-3011-753c-a120-b22dafbcaacc" }),
      line({ type: "tool_execution_start", toolCallId: "t1", toolName: "bash", args: {} }),
      line({ type: "tool_execution_start", toolCallId: "t2", toolName: "read", args: {} }),
      line({ type: "tool_execution_end", toolCallId: "t1", result: { content: [] }, isError: false }),
    ]);
    expect(verdict).toMatchObject({
      finished: false,
      failed: false,
      sessionId: "01a2433d-3011-753c-a120-b22dafbcaacc",
    });
    expect(verdict.unfinishedTools).toEqual([{ toolId: "t2", name: "read" }]);
  });

  it("cuts huge tool output and input strings; names non-text result blocks", () => {
    const huge = "x".repeat(200_000);
    const { events } = parseLines([
      line({
        type: "tool_execution_start",
        toolCallId: "t1",
        toolName: "write",
        args: { path: "a", content: huge },
      }),
      line({
        type: "tool_execution_end",
        toolCallId: "t1",
        result: { content: [{ type: "text", text: huge }, { type: "image" }] },
        isError: true,
      }),
    ]);
    const [start] = ofType(events, "tool.start");
    expect((start!.input as { content: string }).content.length).toBeLessThanOrEqual(16 * 1024);
    const [end] = ofType(events, "tool.end");
    expect(end!.output.length).toBeLessThanOrEqual(32 * 1024);
    expect(end!.output).toMatch(/more characters cut\]$/);
    expect(end!.isError).toBe(true);
  });
});

describe("pi launch", () => {
  it("headless JSON mode, offline, only Nightshift's extension, sessions and config under HOME, prompt after -p", () => {
    const launch = pi.launch({ ...request, text: "Fix the bug" });
    expect(launch.args).toEqual([
      "--mode",
      "json",
      "--offline",
      "--no-extensions",
      "--extension",
      "/work/home/.pi/nightshift/turn.mjs",
      "--no-skills",
      "--no-prompt-templates",
      "--no-themes",
      "--session-dir",
      "/work/home/.pi/agent/sessions",
      "--model",
      "nightshift-anthropic/claude-sonnet-4-5",
      "-p",
      "Fix the bug",
    ]);
    expect(launch.env).toEqual({
      PI_CODING_AGENT_DIR: "/work/home/.pi/agent",
      PI_OFFLINE: "1",
      PI_SKIP_VERSION_CHECK: "1",
      PI_TELEMETRY: "0",
    });
    expect(launch.sessionId).toBeUndefined();
  });

  it.each([
    ["claude-haiku-4-5", "nightshift-anthropic/claude-haiku-4-5"],
    ["gpt-5.5", "nightshift-openai/gpt-5.5"],
    ["gemini-2.5-pro", "nightshift-gemini/gemini-2.5-pro"],
    ["my-local-llm", "nightshift-anthropic/my-local-llm"],
    [undefined, "nightshift-anthropic/claude-sonnet-4-5"],
  ])("model %s is called as %s", (model, flag) => {
    const launch = pi.launch({ ...request, model });
    expect(launch.args[launch.args.indexOf("--model") + 1]).toBe(flag);
  });

  it("resumes the given session; a value that is not a Pi session id never reaches --session", () => {
    const id = "01a2433d-3011-753c-a120-b22dafbcaacc";
    const launch = pi.launch({ ...request, resumeSessionId: id });
    expect(launch.sessionId).toBe(id);
    expect(launch.args[launch.args.indexOf("--session") + 1]).toBe(id);
    expect(pi.launch({ ...request, resumeSessionId: "../../etc/passwd" }).args).not.toContain("--session");
  });

  it.each([
    ["--help me", " --help me"],
    ["-x", " -x"],
    ["@/etc/passwd summarize", " @/etc/passwd summarize"],
    ["--- a rule", "--- a rule"],
    ["plain -p text", "plain -p text"],
  ])("prompt %j, which Pi's parser would misread after -p or not, is passed as %j", (prompt, argument) => {
    const launch = pi.launch({ ...request, text: prompt });
    expect(launch.args.at(-2)).toBe("-p");
    expect(launch.args.at(-1)).toBe(argument);
  });

  it("a prompt too long for one argv element goes on stdin, and nowhere in argv", () => {
    const prompt = `--${"long log line\n".repeat(10_000)}`;
    const launch = pi.launch({ ...request, text: prompt });
    expect(launch.stdin).toBe(prompt);
    expect(launch.args.at(-1)).toBe("-p");
    expect(launch.args.some((a) => a.includes("long log line"))).toBe(false);
    expect(pi.launch(request).stdin).toBeUndefined();
  });

  it("conversation files: the session directory, holding a session by its id", () => {
    const files = pi.conversationFiles!("/work/home");
    expect(files.directory).toBe("/work/home/.pi/agent/sessions");
    const id = "01a2433d-3011-753c-a120-b22dafbcaacc";
    expect(files.holdsSession([`2026-12-04T22-38-18-225Z_${id}.jsonl`], id)).toBe(true);
    expect(files.holdsSession(["2026-12-04T22-38-18-225Z_01a2433d-0000.jsonl"], id)).toBe(false);
  });
});
