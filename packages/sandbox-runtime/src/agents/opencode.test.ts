/**
 * The OpenCode parser on output recorded from opencode 1.18.33 driven against the testkit's
 * scripted model (fixtures/opencode-*.jsonl, made by fixtures/record-opencode-fixtures.test.ts),
 * the launch it builds and its HOME. Expected ids and figures are read from the records themselves.
 */
import { readFileSync } from "node:fs";
import { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { TurnVerdict } from "./adapter";
import type { TurnRequest } from "./contract";
import { opencode } from "./opencode";
import { listPriceCost } from "./usage-cost";

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: "/work/home",
  model: "gpt-5.5",
  maxTurns: 5,
  timeoutMs: 60_000,
  env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_API_KEY: "sk-relay-placeholder" },
  signal: new AbortController().signal,
};

function parseLines(
  lines: string[],
  req: TurnRequest = request,
): { events: AgentEvent[]; verdict: TurnVerdict } {
  const parser = opencode.createParser(req, opencode.launch(req));
  const events = lines.flatMap((line) => parser.parseLine(line));
  for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
  return { events, verdict: parser.finish() };
}

function fixtureLines(name: string): string[] {
  return readFileSync(new URL(`./fixtures/opencode-${name}.jsonl`, import.meta.url), "utf8").split("\n");
}

interface RawRecord {
  type: string;
  sessionID: string;
  part?: {
    id: string;
    callID?: string;
    reason?: string;
    cost?: number;
    tokens?: { input: number; output: number; reasoning: number; cache: { read: number; write: number } };
  };
}

/** The fixture's own records, read without the parser: what the events must carry. */
function rawRecords(name: string): RawRecord[] {
  return fixtureLines(name)
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RawRecord);
}

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

describe("opencode parser on recorded output", () => {
  it("text turn: the whole message, usage summed over the steps at list price, summary and session id", () => {
    const { events, verdict } = parseLines(fixtureLines("text"));
    const records = rawRecords("text");
    const text = records.find((r) => r.type === "text")!;
    const steps = records.filter((r) => r.type === "step_finish").map((r) => r.part!.tokens!);
    const input = steps.reduce((sum, t) => sum + t.input, 0);
    const output = steps.reduce((sum, t) => sum + t.output + t.reasoning, 0);
    expect(input).toBeGreaterThan(0);
    expect(ofType(events, "message")).toEqual([
      {
        type: "message",
        messageId: text.part!.id,
        role: "assistant",
        text: "Hello from the scripted model.",
      },
    ]);
    expect(ofType(events, "message.delta")).toEqual([]); // `opencode run` prints whole text parts
    // OpenCode's own cost is 0 (no price in its config): the list price stands in, not $0.
    expect(records.find((r) => r.type === "step_finish")!.part!.cost).toBe(0);
    expect(ofType(events, "usage")).toEqual([
      {
        type: "usage",
        inputTokens: input,
        outputTokens: output,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: listPriceCost({ inputTokens: input, outputTokens: output }, "gpt-5.5", "openai"),
        model: "gpt-5.5",
      },
    ]);
    expect(ofType(events, "error")).toEqual([]);
    expect(verdict).toEqual({
      finished: true,
      failed: false,
      sessionId: text.sessionID,
      summary: "Hello from the scripted model.",
      unfinishedTools: [],
    });
  });

  it("shell turn: tool.start then the paired tool.end with the command's output, one usage for both steps", () => {
    const { events, verdict } = parseLines(fixtureLines("shell"));
    const records = rawRecords("shell");
    const tool = records.find((r) => r.type === "tool_use")!;
    const [start] = ofType(events, "tool.start");
    const [end] = ofType(events, "tool.end");
    expect(start).toEqual({
      type: "tool.start",
      toolId: tool.part!.callID,
      name: "bash",
      input: { command: "echo tool-ran > ran.txt && cat ran.txt", description: "run a command" },
    });
    expect(end).toEqual({
      type: "tool.end",
      toolId: tool.part!.callID,
      name: "bash",
      output: "tool-ran",
      isError: false,
    });
    expect(events.indexOf(start!)).toBeLessThan(events.indexOf(end!));
    const steps = records.filter((r) => r.type === "step_finish");
    expect(steps.map((r) => r.part!.reason)).toEqual(["tool-calls", "stop"]);
    const [usage] = ofType(events, "usage");
    expect(ofType(events, "usage")).toHaveLength(1);
    expect(usage!.inputTokens).toBe(steps.reduce((sum, r) => sum + r.part!.tokens!.input, 0));
    expect(verdict).toMatchObject({
      finished: true,
      failed: false,
      summary: "The command printed tool-ran.",
    });
  });

  it("write turn: GPT models get apply_patch (no write tool): the patch adding the file, and the CLI's confirmation", () => {
    const { events, verdict } = parseLines(fixtureLines("write"));
    const [start] = ofType(events, "tool.start");
    expect(start).toMatchObject({ name: "apply_patch" });
    expect((start!.input as { patchText: string }).patchText).toContain("*** Add File: hello.txt");
    const [end] = ofType(events, "tool.end");
    expect(end).toMatchObject({ toolId: start!.toolId, name: "apply_patch", isError: false });
    expect(end!.output).toMatch(/hello\.txt/);
    expect(verdict.summary).toBe("Wrote hello.txt.");
  });

  it("resumed turn: the same session id, and usage for this invocation only", () => {
    const resumed = rawRecords("resume");
    expect(resumed[0]!.sessionID).toBe(rawRecords("text")[0]!.sessionID);
    const { events, verdict } = parseLines(fixtureLines("resume"), {
      ...request,
      resumeSessionId: resumed[0]!.sessionID,
    });
    expect(verdict).toMatchObject({
      finished: true,
      failed: false,
      sessionId: resumed[0]!.sessionID,
      summary: "Second answer.",
    });
    const steps = resumed.filter((r) => r.type === "step_finish");
    expect(ofType(events, "usage")[0]!.inputTokens).toBe(
      steps.reduce((sum, r) => sum + r.part!.tokens!.input, 0),
    );
  });

  it("401: one error telling to set OPENAI_API_KEY, no message, failed", () => {
    const { events, verdict } = parseLines(fixtureLines("error"));
    const errors = ofType(events, "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("model_auth_failed");
    expect(errors[0]!.message).toContain("OPENAI_API_KEY");
    expect(ofType(events, "message")).toEqual([]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("404: model_not_found, once", () => {
    const { events, verdict } = parseLines(fixtureLines("not-found"));
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["model_not_found"]);
    expect(verdict.failed).toBe(true);
  });

  it("the step cap: a failed shell call flagged, the answer kept, and a log saying the steps ran out", () => {
    const { events, verdict } = parseLines(fixtureLines("max-steps"), { ...request, maxTurns: 2 });
    expect(ofType(events, "tool.end")[0]).toMatchObject({ isError: true });
    expect(ofType(events, "log").some((e) => /all 2 of its steps/.test(e.text))).toBe(true);
    expect(verdict).toMatchObject({ finished: true, failed: false, summary: "I ran out of steps." });
  });
});

describe("opencode parser on unexpected input", () => {
  const step = (
    reason: string,
    tokens = { input: 10, output: 2, reasoning: 1, cache: { read: 4, write: 0 } },
    cost = 0,
  ) => JSON.stringify({ type: "step_finish", sessionID: "ses_x", part: { reason, tokens, cost } });

  it("keeps non-JSON lines as log events and ignores unknown or malformed records", () => {
    const { events, verdict } = parseLines([
      "! permission requested: external_directory (/etc/*); auto-rejecting",
      "",
      "[1,2,3]",
      '{"type":"something_new","x":1}',
      '{"type":"text","part":"not an object"}',
      '{"type":"tool_use","part":{"tool":"bash"}}',
      '{"type":"step_finish","part":{"tokens":"garbage"}}',
    ]);
    expect(events.filter((e) => e.type === "log").map((e) => (e as { text: string }).text)).toEqual([
      "! permission requested: external_directory (/etc/*); auto-rejecting",
      "[1,2,3]",
    ]);
    expect(verdict.finished).toBe(true);
  });

  it("a turn cut off after a tool step is unfinished: no terminal step_finish", () => {
    const lines = fixtureLines("shell").filter((l) => l.trim() !== "");
    const cut = lines.slice(0, lines.findIndex((l) => l.includes('"reason":"tool-calls"')) + 1);
    const { verdict, events } = parseLines(cut);
    expect(verdict).toMatchObject({ finished: false, failed: false });
    expect(ofType(events, "usage")).toEqual([]);
  });

  it("an error after some steps reports their usage, and the error once even if repeated", () => {
    const error = JSON.stringify({
      type: "error",
      sessionID: "ses_x",
      error: { name: "APIError", data: { message: "Too many requests", statusCode: 429, isRetryable: true } },
    });
    const { events, verdict } = parseLines([step("tool-calls"), error, error]);
    expect(ofType(events, "usage")).toEqual([
      expect.objectContaining({ inputTokens: 10, outputTokens: 3, cacheReadTokens: 4 }),
    ]);
    expect(ofType(events, "error").map((e) => e.code)).toEqual(["model_rate_limited"]);
    expect(verdict).toMatchObject({ finished: true, failed: true });
  });

  it("a connection failure, an auth error without a status and an unknown error each get their own code", () => {
    const errorLine = (error: object) => JSON.stringify({ type: "error", sessionID: "ses_x", error });
    const codes = [
      { name: "APIError", data: { message: "Cannot connect to API: Unable to connect.", isRetryable: true } },
      { name: "ProviderAuthError", data: { providerID: "nightshift-openai", message: "No API key" } },
      { name: "UnknownError", data: { message: "disk full" } },
    ].map((error) => ofType(parseLines([errorLine(error)]).events, "error")[0]!);
    expect(codes.map((e) => e.code)).toEqual(["model_unreachable", "model_auth_failed", "agent_failed"]);
    expect(codes[0]!.message).toContain("OPENAI_BASE_URL");
    expect(codes[2]!.message).toBe("OpenCode failed: UnknownError: disk full");
  });

  it("takes OpenCode's own cost when it reports one, and the tool's error text when it failed", () => {
    const { events } = parseLines([
      JSON.stringify({
        type: "tool_use",
        sessionID: "ses_x",
        part: {
          id: "prt_1",
          tool: "read",
          state: { status: "error", input: { filePath: "/nope" }, error: "File not found: /nope" },
        },
      }),
      step("stop", undefined, 0.25),
    ]);
    expect(ofType(events, "tool.end")[0]).toMatchObject({
      toolId: "prt_1",
      output: "File not found: /nope",
      isError: true,
    });
    expect(ofType(events, "usage")[0]!.costUsd).toBe(0.25);
  });

  it("an unknown model's usage has no cost (unknown), never $0", () => {
    const { events } = parseLines([step("stop")], { ...request, model: "llama-4-local" });
    const [usage] = ofType(events, "usage");
    expect(usage).toMatchObject({ model: "llama-4-local", inputTokens: 10 });
    expect(usage).not.toHaveProperty("costUsd");
  });

  it("cuts huge tool output and input strings", () => {
    const huge = "x".repeat(200_000);
    const { events } = parseLines([
      JSON.stringify({
        type: "tool_use",
        sessionID: "ses_x",
        part: {
          id: "prt_2",
          callID: "call_2",
          tool: "write",
          state: { status: "completed", input: { content: huge }, output: huge },
        },
      }),
    ]);
    expect(
      (ofType(events, "tool.start")[0]!.input as { content: string }).content.length,
    ).toBeLessThanOrEqual(16 * 1024);
    expect(ofType(events, "tool.end")[0]!.output.length).toBeLessThanOrEqual(32 * 1024);
  });
});

describe("opencode launch", () => {
  it("a new session: run, JSON, auto-approve, the relay model, a title (no title call), the prompt on stdin only", () => {
    const launch = opencode.launch({ ...request, text: "--help me" });
    expect(launch.args).toEqual([
      "run",
      "--format",
      "json",
      "--auto",
      "-m",
      "nightshift-openai/gpt-5.5",
      "--title",
      "Nightshift session",
    ]);
    expect(launch.stdin).toBe("--help me");
    expect(launch.sessionId).toBeUndefined();
    expect(launch.env).toMatchObject({
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_SHARE: "1",
      XDG_CONFIG_HOME: "/work/home/.config",
      XDG_DATA_HOME: "/work/home/.local/share",
      OPENCODE_DB: "/work/home/.local/share/opencode/sessions/opencode.db",
    });
  });

  it("the inline config points the model's API at the relay through {env:} references, with the step cap", () => {
    const config = (req: Partial<TurnRequest>) =>
      JSON.parse(opencode.launch({ ...request, ...req }).env.OPENCODE_CONFIG_CONTENT!) as {
        provider: Record<
          string,
          { npm: string; options: { baseURL: string; apiKey: string }; models: object }
        >;
        model: string;
        agent: { build: { steps: number } };
        autoupdate: boolean;
        share: string;
      };
    const openai = config({ maxTurns: 7 });
    expect(openai.provider).toEqual({
      "nightshift-openai": {
        npm: "@ai-sdk/openai-compatible",
        name: "Nightshift model relay",
        options: { baseURL: "{env:OPENAI_BASE_URL}", apiKey: "{env:OPENAI_API_KEY}" },
        models: { "gpt-5.5": { name: "gpt-5.5" } },
      },
    });
    expect(openai).toMatchObject({
      model: "nightshift-openai/gpt-5.5",
      agent: { build: { steps: 7 } },
      autoupdate: false,
      share: "disabled",
    });
    expect(config({ model: "claude-sonnet-4-5" }).provider["nightshift-anthropic"]).toMatchObject({
      npm: "@ai-sdk/anthropic",
      options: { baseURL: "{env:ANTHROPIC_BASE_URL}/v1", apiKey: "{env:ANTHROPIC_API_KEY}" },
    });
    expect(config({ model: "gemini-2.5-pro" }).provider["nightshift-gemini"]).toMatchObject({
      npm: "@ai-sdk/google",
      options: { baseURL: "{env:GOOGLE_GEMINI_BASE_URL}/v1beta", apiKey: "{env:GEMINI_API_KEY}" },
    });
    // No model named: the catalog's default; an unknown one goes through the OpenAI-compatible API.
    expect(config({ model: undefined }).model).toBe("nightshift-openai/gpt-5.5");
    expect(config({ model: "llama-4-local" }).model).toBe("nightshift-openai/llama-4-local");
    // No URL or key value is in the config itself.
    expect(opencode.launch(request).env.OPENCODE_CONFIG_CONTENT).not.toMatch(/127\.0\.0\.1|sk-relay/);
  });

  it("resumes the given session with -s and no title", () => {
    const launch = opencode.launch({ ...request, resumeSessionId: "ses_abc123" });
    expect(launch.sessionId).toBe("ses_abc123");
    expect(launch.args.slice(-2)).toEqual(["-s", "ses_abc123"]);
    expect(launch.args).not.toContain("--title");
  });
});
