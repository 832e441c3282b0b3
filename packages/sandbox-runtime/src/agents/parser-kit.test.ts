import { describe, expect, it } from "vitest";
import { boundedId, ErrorLatch, OpenTools, parseJsonLine, stdoutLog, toolStartEvent } from "./parser-kit";
import { ERROR_MAX_CHARS, LOG_LINE_MAX_CHARS, TOOL_INPUT_STRING_MAX_CHARS } from "./text-limits";

describe("parser kit", () => {
  it("reads a JSON line and gives undefined for a line that is not JSON", () => {
    expect(parseJsonLine('{"type":"result","n":1}')).toEqual({ type: "result", n: 1 });
    expect(parseJsonLine("Loading extensions…")).toBeUndefined();
    expect(parseJsonLine('{"type":"res')).toBeUndefined();
  });

  it("bounds ids and names to the protocol's 200 characters", () => {
    expect(boundedId("toolu_01")).toBe("toolu_01");
    expect(boundedId("x".repeat(500))).toBe("x".repeat(200));
  });

  it("turns a stray stdout line into a bounded log event of its source", () => {
    const event = stdoutLog("gemini", "y".repeat(LOG_LINE_MAX_CHARS * 2));
    expect(event).toMatchObject({ type: "log", source: "gemini", stream: "stdout" });
    expect(event.type === "log" && event.text.length).toBeLessThanOrEqual(LOG_LINE_MAX_CHARS);
  });

  it("cuts a tool.start input's long strings, keeping its shape", () => {
    const event = toolStartEvent("t1", "Bash", {
      command: "z".repeat(TOOL_INPUT_STRING_MAX_CHARS * 2),
      n: 3,
    });
    expect(event).toMatchObject({ type: "tool.start", toolId: "t1", name: "Bash", input: { n: 3 } });
    const input = event.type === "tool.start" ? (event.input as { command: string }) : undefined;
    expect(input?.command.length).toBeLessThan(TOOL_INPUT_STRING_MAX_CHARS * 2);
  });

  it("a second failure in one turn emits no second error event but keeps the turn failed", () => {
    const errors = new ErrorLatch();
    expect(errors.failed).toBe(false);
    const first = errors.fail({ code: "rate_limited", message: "m".repeat(ERROR_MAX_CHARS * 2) });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ type: "error", code: "rate_limited" });
    expect(first[0]?.type === "error" && first[0].message.length).toBeLessThanOrEqual(ERROR_MAX_CHARS);
    expect(errors.fail({ code: "agent_failed", message: "again" })).toEqual([]);
    expect(errors.failed).toBe(true);
    expect(errors.emitted).toBe(true);
  });

  it("a retried model call clears the failure but never re-arms the error event", () => {
    const errors = new ErrorLatch();
    errors.fail({ code: "agent_failed", message: "first attempt" });
    errors.clearFailure();
    expect(errors.failed).toBe(false);
    expect(errors.fail({ code: "agent_failed", message: "second attempt" })).toEqual([]);
    expect(errors.failed).toBe(true);
    const quiet = new ErrorLatch();
    quiet.markFailed();
    expect(quiet.failed).toBe(true);
    expect(quiet.emitted).toBe(false);
  });

  it("reports the tool calls a turn left open, and forgets those that ended", () => {
    const tools = new OpenTools();
    tools.start("a", "Bash");
    tools.start("b", "Edit");
    expect(tools.has("a")).toBe(true);
    expect(tools.nameOf("b")).toBe("Edit");
    tools.end("a");
    expect(tools.has("a")).toBe(false);
    expect(tools.unfinished()).toEqual([{ toolId: "b", name: "Edit" }]);
  });
});
