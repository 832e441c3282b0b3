/**
 * The Gemini CLI parser on output recorded from @google/gemini-cli 0.61.0 driven against the
 * testkit's scripted model (fixtures/gemini-*.jsonl, made by fixtures/record-gemini-fixtures.test.ts).
 * Expected ids and figures are read from the records themselves. The launch and the settings it
 * writes: gemini-launch.test.ts.
 */
import { readFileSync } from "node:fs";
import { AgentEvent, listedPriceOf } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { TurnVerdict } from "./adapter";
import type { TurnRequest } from "./contract";
import { gemini } from "./gemini";

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: "/work/home",
  model: "gemini-2.5-flash",
  maxTurns: 3,
  timeoutMs: 60_000,
  env: {},
  signal: new AbortController().signal,
};

function parseLines(lines: string[], stderr: string[] = []): { events: AgentEvent[]; verdict: TurnVerdict } {
  const parser = gemini.createParser(request, gemini.launch(request));
  for (const line of stderr) parser.noteStderrLine?.(line);
  const events = lines.flatMap((line) => parser.parseLine(line));
  for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
  return { events, verdict: parser.finish() };
}

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/gemini-${name}`, import.meta.url), "utf8").split("\n");
const parseFixture = (name: string, stderr: string[] = []) => parseLines(fixture(`${name}.jsonl`), stderr);

interface RawStats {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  cached: number;
  input: number;
}
/** The fixture's own records, read without the parser: what the events must carry. */
function raw(name: string) {
  const records = fixture(`${name}.jsonl`)
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const init = records.find((r) => r.type === "init") as { session_id: string };
  const result = records.find((r) => r.type === "result") as { stats: RawStats };
  const toolIds = records.filter((r) => r.type === "tool_use").map((r) => r.tool_id as string);
  return { init, result, toolIds };
}

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

describe("gemini parser on recorded output", () => {
  it("text turn: deltas, the whole message gathered from them, usage at list price, summary and session id", () => {
    const { events, verdict } = parseFixture("text");
    const { init, result } = raw("text");
    const deltas = ofType(events, "message.delta");
    expect(deltas.map((d) => d.text)).toEqual(["Hello from", " the scrip", "ted model."]);
    expect(new Set(deltas.map((d) => d.messageId))).toEqual(new Set(["gemini-p1-m1"]));
    expect(ofType(events, "message")).toEqual([
      {
        type: "message",
        messageId: "gemini-p1-m1",
        role: "assistant",
        text: "Hello from the scripted model.",
      },
    ]);
    const price = listedPriceOf("gemini", "gemini-2.5-flash")!;
    const { input, output_tokens } = result.stats;
    expect(input).toBeGreaterThan(1000);
    expect(ofType(events, "usage")).toEqual([
      {
        type: "usage",
        inputTokens: input,
        outputTokens: output_tokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: (input * price.input + output_tokens * price.output) / 1_000_000,
        model: "gemini-2.5-flash",
      },
    ]);
    expect(events.map((e) => e.type).slice(-2)).toEqual(["message", "usage"]);
    expect(verdict).toEqual({
      finished: true,
      failed: false,
      sessionId: init.session_id,
      summary: "Hello from the scripted model.",
      unfinishedTools: [],
    });
  });

  it("shell turn: tool.start then the paired tool.end with the command's output, then the answer", () => {
    const { events } = parseFixture("shell");
    const [toolId] = raw("shell").toolIds;
    expect(ofType(events, "tool.start")).toEqual([
      {
        type: "tool.start",
        toolId,
        name: "run_shell_command",
        input: { command: "echo tool-ran > ran.txt && cat ran.txt", description: "run a command" },
      },
    ]);
    expect(ofType(events, "tool.end")).toEqual([
      { type: "tool.end", toolId, name: "run_shell_command", output: "tool-ran", isError: false },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "tool.start",
      "tool.end",
      "message.delta",
      "message",
      "usage",
    ]);
  });

  it("write turn: text before the tool is its own message; write_file's silent success is an empty output", () => {
    const { events, verdict } = parseFixture("write");
    expect(ofType(events, "message").map((m) => [m.messageId, m.text])).toEqual([
      ["gemini-p1-m1", "Writing the file."],
      ["gemini-p1-m2", "Wrote hello.txt."],
    ]);
    expect(ofType(events, "tool.start")[0]).toMatchObject({
      name: "write_file",
      input: { file_path: "hello.txt", content: "Hello, World!\n" },
    });
    expect(ofType(events, "tool.end")[0]).toMatchObject({ output: "", isError: false });
    expect(events.map((e) => e.type).indexOf("message")).toBeLessThan(
      events.map((e) => e.type).indexOf("tool.start"),
    );
    expect(verdict.summary).toBe("Wrote hello.txt.");
  });

  it("resumed turn: the same session id, and usage is this invocation's alone", () => {
    const { events, verdict } = parseFixture("resume");
    expect(verdict.sessionId).toBe(raw("text").init.session_id);
    const [usage] = ofType(events, "usage");
    // The resumed call carried the first turn, but the CLI's stats count this process's calls only.
    expect(usage?.inputTokens).toBe(raw("resume").result.stats.input);
    expect(usage?.outputTokens).toBe(raw("resume").result.stats.output_tokens);
  });

  it("401: one error telling to set GEMINI_API_KEY with the provider's words, no usage, failed", () => {
    const { events, verdict } = parseFixture("error");
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("GEMINI_API_KEY");
    expect(errors[0]!.message).not.toContain("ANTHROPIC");
    expect(errors[0]!.message).toContain('The CLI said: "invalid x-api-key"');
    expect(ofType(events, "usage")).toEqual([]);
    expect(ofType(events, "message")).toEqual([]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("turn cap: the model.maxSessionTurns stop is a max_turns error naming the cap, usage kept", () => {
    const { events, verdict } = parseFixture("max-turns");
    expect(ofType(events, "tool.end").map((e) => e.output)).toEqual(["Command exited with code: 1", ""]);
    expect(ofType(events, "usage")).toHaveLength(1);
    const errors = ofType(events, "error");
    expect(errors.map((e) => e.code)).toEqual(["max_turns"]);
    expect(errors[0]!.message).toContain("after 3 model turns");
    expect(errors[0]!.message).toContain("NIGHTSHIFT_MAX_TURNS");
    expect(verdict.failed).toBe(true);
  });

  it("429 after the CLI's retries: the rate-limit advice marks it, though the status is gone from stdout", () => {
    const { events, verdict } = parseFixture("rate-limited");
    const errors = ofType(events, "error");
    expect(errors.map((e) => e.code)).toEqual(["model_rate_limited"]);
    expect(errors[0]!.message).toContain('The CLI said: "Quota exceeded."');
    expect(verdict.failed).toBe(true);
  });

  it("503 after the CLI's retries: the status comes from its stderr report", () => {
    const stderr = fixture("unavailable.stderr.txt");
    const withStderr = parseFixture("unavailable", stderr);
    expect(ofType(withStderr.events, "error")).toEqual([
      {
        type: "error",
        code: "model_api_error",
        message:
          'The model API failed (503); send the prompt again later. The CLI said: "The model is overloaded.".',
      },
    ]);
    // Without stderr the text alone cannot tell a 503 from a dropped connection.
    const stdoutOnly = parseFixture("unavailable");
    expect(ofType(stdoutOnly.events, "error").map((e) => e.code)).toEqual(["model_unreachable"]);
    expect(ofType(stdoutOnly.events, "error")[0]!.message).toContain("GOOGLE_GEMINI_BASE_URL");
  });
});

describe("gemini parser on unexpected input", () => {
  it("keeps non-JSON lines as logs, ignores unknown or malformed records and the echoed prompt", () => {
    const { events, verdict } = parseLines([
      "Warning: something on stdout",
      "",
      "[1,2,3]",
      '{"type":"something_new","x":1}',
      '{"type":"message","role":"user","content":"Say hello"}',
      '{"type":"message","role":"assistant","content":42,"delta":true}',
      '{"type":"tool_result","status":"success"}',
      '{"type":"result","status":"success","stats":"garbage"}',
    ]);
    expect(events).toEqual([
      { type: "log", source: "gemini", stream: "stdout", text: "Warning: something on stdout" },
      { type: "log", source: "gemini", stream: "stdout", text: "[1,2,3]" },
    ]);
    expect(verdict).toMatchObject({ finished: true, failed: false });
  });

  it("exit 0 with a failed result and only an error record's words: one agent_failed error", () => {
    const { events, verdict } = parseLines([
      '{"type":"error","severity":"warning","message":"Loop detected, stopping execution"}',
      '{"type":"error","severity":"error","message":"Model stream ended with an empty response."}',
      '{"type":"result","status":"error","stats":{"total_tokens":0}}',
    ]);
    expect(events).toEqual([
      { type: "log", source: "gemini", stream: "stdout", text: "warning: Loop detected, stopping execution" },
      {
        type: "log",
        source: "gemini",
        stream: "stdout",
        text: "error: Model stream ended with an empty response.",
      },
      {
        type: "error",
        code: "agent_failed",
        message: "Gemini CLI failed: Model stream ended with an empty response.",
      },
    ]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("stderr: the status of a failed call is noted; the CLI's stack frames are not forwarded", () => {
    const parser = gemini.createParser(request, gemini.launch(request));
    expect(
      parser.noteStderrLine?.("Error when talking to Gemini API Full report available at: /tmp/x.json"),
    ).toBe(true);
    expect(parser.noteStderrLine?.("    at async Turn.run (file:///app/chunk-JDPZ4CE3.js:333001:24) {")).toBe(
      false,
    );
    expect(parser.noteStderrLine?.("  status: 503")).toBe(true);
    expect(
      parser.noteStderrLine?.("YOLO mode is enabled. All tool calls will be automatically approved."),
    ).toBe(true);
    const events = parser.parseLine(
      '{"type":"result","status":"error","error":{"type":"unknown","message":"[API Error: busy]"}}',
    );
    expect(events.map((e) => (e.type === "error" ? e.code : e.type))).toEqual(["model_api_error"]);
  });

  it("a failed tool is a tool.end with isError and the CLI's words", () => {
    const { events } = parseLines([
      '{"type":"tool_use","tool_name":"read_file","tool_id":"t1","parameters":{"file_path":"/nope"}}',
      '{"type":"tool_result","tool_id":"t1","status":"error","error":{"type":"FILE_NOT_FOUND","message":"File not found: /nope"}}',
    ]);
    expect(ofType(events, "tool.end")).toEqual([
      { type: "tool.end", toolId: "t1", name: "read_file", output: "File not found: /nope", isError: true },
    ]);
  });

  it("cuts huge tool output and input strings", () => {
    const huge = "x".repeat(200_000);
    const { events } = parseLines([
      JSON.stringify({
        type: "tool_use",
        tool_name: "write_file",
        tool_id: "t1",
        parameters: { content: huge },
      }),
      JSON.stringify({ type: "tool_result", tool_id: "t1", status: "success", output: huge }),
    ]);
    const [start] = ofType(events, "tool.start");
    expect((start!.input as { content: string }).content.length).toBeLessThanOrEqual(16 * 1024);
    const [end] = ofType(events, "tool.end");
    expect(end!.output.length).toBeLessThanOrEqual(32 * 1024);
    expect(end!.output).toMatch(/more characters cut\]$/);
  });

  it("truncated output: unfinished, the open tool named, streamed text kept as the summary", () => {
    const { verdict } = parseLines([
      '{"type":"init","session_id":"s-1","model":"gemini-2.5-flash"}',
      '{"type":"tool_use","tool_name":"run_shell_command","tool_id":"t1","parameters":{"command":"sleep 60"}}',
      '{"type":"message","role":"assistant","content":"Waiting for","delta":true}',
      '{"type":"result","status":"succ',
    ]);
    expect(verdict).toMatchObject({
      finished: false,
      failed: false,
      sessionId: "s-1",
      summary: "Waiting for",
    });
    expect(verdict.unfinishedTools).toEqual([{ toolId: "t1", name: "run_shell_command" }]);
  });

  it("several models in one turn: each at its own list price; an unpriced one makes the cost unknown", () => {
    const stats = (models: Record<string, number>) =>
      JSON.stringify({
        type: "result",
        status: "success",
        stats: {
          total_tokens: 3000,
          input_tokens: 2000,
          output_tokens: 1000,
          cached: 0,
          input: 2000,
          models: Object.fromEntries(
            Object.entries(models).map(([model, scale]) => [
              model,
              {
                total_tokens: 1500 * scale,
                input_tokens: 1000 * scale,
                output_tokens: 500 * scale,
                cached: 0,
                input: 1000 * scale,
              },
            ]),
          ),
        },
      });
    const [priced] = ofType(
      parseLines([stats({ "gemini-2.5-pro": 1, "gemini-2.5-flash": 1 })]).events,
      "usage",
    );
    const pro = listedPriceOf("gemini", "gemini-2.5-pro")!;
    const flash = listedPriceOf("gemini", "gemini-2.5-flash")!;
    expect(priced!.costUsd).toBeCloseTo(
      (1000 * (pro.input + flash.input) + 500 * (pro.output + flash.output)) / 1e6,
      12,
    );
    const [unknown] = ofType(parseLines([stats({ "gemini-2.5-pro": 1, "my-own-model": 1 })]).events, "usage");
    expect(unknown).toMatchObject({ inputTokens: 2000, outputTokens: 1000 });
    expect(unknown!.costUsd).toBeUndefined();
  });

  it("thinking tokens (in the total, not in output_tokens) are counted as output; cached input apart", () => {
    const { events } = parseLines([
      '{"type":"result","status":"success","stats":{"total_tokens":1500,"input_tokens":1000,"output_tokens":200,"cached":400,"input":600,"models":{}}}',
    ]);
    expect(ofType(events, "usage")[0]).toMatchObject({
      inputTokens: 600,
      cacheReadTokens: 400,
      outputTokens: 500,
      model: "gemini-2.5-flash",
    });
  });
});
