import { describe, expect, it } from "vitest";
import type { Logger } from "../log";
import { EventSink } from "./event-sink";
import { createMasker } from "./mask-secrets";
import { StreamEventMasker } from "./stream-events";

/** A buffer that records appends, or fails them like a full disk. */
function recordingBuffer(options: { failWith?: string; full?: boolean } = {}) {
  const appended: unknown[] = [];
  let release: () => void = () => {};
  const room = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    appended,
    release: () => release(),
    buffer: {
      isFull: options.full ?? false,
      append(event: unknown) {
        if (options.failWith) throw new Error(options.failWith);
        appended.push(event);
        return appended.length;
      },
      waitForRoom: () => room,
    },
  };
}

function recordingLog() {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { lines, log };
}

describe("EventSink edges", () => {
  it("says where an invalid event went wrong, in the runtime log and the error event, masked", () => {
    const { buffer, appended } = recordingBuffer();
    const { lines, log } = recordingLog();
    const sink = new EventSink({ buffer, mask: createMasker(["hunter2-secret"]), onAppended: () => {}, log });
    sink.append({ type: "usage", inputTokens: -1, outputTokens: 1, costUsd: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn replaced an invalid "usage" event at inputTokens: /);
    expect(appended[0]).toEqual({
      type: "error",
      code: "invalid_event",
      message: expect.stringMatching(/^replaced an invalid "usage" event at inputTokens: /),
    });
    sink.append({ type: "hunter2-secret".padEnd(80, "x") });
    expect(JSON.stringify(appended[1])).not.toContain("hunter2-secret");
    expect((appended[1] as { message: string }).message).toMatch(/^replaced an invalid "\*\*\*x{36}" event/);
  });

  it('names a non-object as "?" and a problem with no field without a place', () => {
    const { buffer, appended } = recordingBuffer();
    const { log } = recordingLog();
    const sink = new EventSink({ buffer, mask: (v) => v, onAppended: () => {}, log });
    sink.append("just text");
    sink.append(null);
    expect(appended).toEqual([
      {
        type: "error",
        code: "invalid_event",
        message: expect.stringMatching(/^replaced an invalid "\?" event: /),
      },
      {
        type: "error",
        code: "invalid_event",
        message: expect.stringMatching(/^replaced an invalid "\?" event: /),
      },
    ]);
  });

  it("logs an event it could not write and goes on, without waking the bridge", () => {
    const { buffer } = recordingBuffer({ failWith: "ENOSPC: no space left on device" });
    const { lines, log } = recordingLog();
    let woken = 0;
    const sink = new EventSink({ buffer, mask: (v) => v, onAppended: () => woken++, log });
    expect(() => sink.emit({ type: "log", source: "agent", stream: "stdout", text: "x" })).not.toThrow();
    expect(lines).toEqual([
      "error cannot write the event buffer (ENOSPC: no space left on device); a log event is lost",
    ]);
    expect(woken).toBe(0);
  });

  it("pauses producers once while full, however many events arrive, and resumes once there is room", async () => {
    const { buffer, release } = recordingBuffer({ full: true });
    const { log } = recordingLog();
    const calls: string[] = [];
    const sink = new EventSink({
      buffer,
      mask: (v) => v,
      onAppended: () => calls.push("appended"),
      gate: { pause: () => calls.push("pause"), resume: () => calls.push("resume") },
      log,
    });
    expect(sink.isFull).toBe(true);
    for (let i = 0; i < 3; i++) sink.emit({ type: "log", source: "agent", stream: "stdout", text: `${i}` });
    expect(calls).toEqual(["appended", "pause", "appended", "appended"]);
    release();
    await sink.waitForRoom();
    await Promise.resolve();
    expect(calls.at(-1)).toBe("resume");
    expect(calls.filter((c) => c === "resume")).toHaveLength(1);
    // Still full after the room was used up again: a new pause.
    sink.emit({ type: "log", source: "agent", stream: "stdout", text: "again" });
    expect(calls.slice(-2)).toEqual(["appended", "pause"]);
  });

  it("works without a gate", () => {
    const { buffer, appended } = recordingBuffer({ full: true });
    const sink = new EventSink({ buffer, mask: (v) => v, onAppended: () => {}, log: recordingLog().log });
    sink.emit({ type: "log", source: "agent", stream: "stdout", text: "x" });
    expect(appended).toHaveLength(1);
  });

  it("masks a secret split across streamed pieces and releases the held-back tail at endStreams", () => {
    const { buffer, appended } = recordingBuffer();
    const secret = "split-secret-value";
    const sink = new EventSink({
      buffer,
      mask: createMasker([secret]),
      streams: new StreamEventMasker([secret]),
      onAppended: () => {},
      log: recordingLog().log,
    });
    sink.emit({ type: "log", source: "hook", stream: "stdout", text: "before split-sec" });
    sink.emit({ type: "log", source: "hook", stream: "stdout", text: "ret-value after spl" });
    sink.endStreams();
    const text = appended.map((e) => (e as { text: string }).text).join("");
    expect(text).toBe("before *** after spl");
    expect(JSON.stringify(appended)).not.toContain("split-sec");
    expect(appended.at(-1)).toMatchObject({ type: "log", source: "hook", stream: "stdout", text: "spl" });
    sink.endStreams();
    expect(appended.map((e) => (e as { text: string }).text).join("")).toBe("before *** after spl");
  });
});
