import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventBuffer } from "../buffer/event-buffer";
import { silentLogger } from "../log";
import { EventSink } from "./event-sink";
import { createMasker } from "./mask-secrets";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sinkWith(maxBytes = 1 << 20) {
  const dir = mkdtempSync(join(tmpdir(), "ns-sink-"));
  dirs.push(dir);
  const buffer = new EventBuffer({ dir, maxBytes, segmentBytes: 4096 });
  const gate = {
    paused: 0,
    resumed: 0,
    pause() {
      this.paused++;
    },
    resume() {
      this.resumed++;
    },
  };
  let appended = 0;
  const sink = new EventSink({
    buffer,
    mask: createMasker(["s3cr3t-value"]),
    onAppended: () => appended++,
    gate,
    log: silentLogger,
  });
  const stored = () => {
    const batch = buffer.readAfter(0, 10_000, 1 << 26);
    return (batch?.lines ?? []).map(
      (line) => JSON.parse(line) as { seq: number; event: Record<string, unknown> },
    );
  };
  return { buffer, sink, gate, stored, appended: () => appended };
}

describe("EventSink", () => {
  it("masks secrets before anything reaches the buffer", () => {
    const { sink, stored, appended } = sinkWith();
    sink.emit({ type: "log", source: "agent", stream: "stdout", text: "key is s3cr3t-value" });
    expect(stored()).toEqual([
      { seq: 1, event: { type: "log", source: "agent", stream: "stdout", text: "key is ***" } },
    ]);
    expect(appended()).toBe(1);
  });

  it("replaces an invalid event by an error event instead of wedging the bridge", () => {
    const { sink, stored } = sinkWith();
    sink.append({ type: "usage", inputTokens: -1, outputTokens: 1, costUsd: 0 });
    sink.append({ type: "no-such-event" });
    const events = stored().map((s) => s.event);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: "error",
      code: "invalid_event",
      message: expect.stringContaining('"usage"'),
    });
    expect(events[1]).toMatchObject({ type: "error", code: "invalid_event" });
  });

  it("fills defaults and shrinks oversized events", () => {
    const { sink, stored } = sinkWith();
    sink.emit({
      type: "usage",
      inputTokens: 1,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.01,
    });
    sink.append({ type: "message", messageId: "m", role: "assistant", text: "z".repeat(900_000) });
    const [usage, message] = stored().map((s) => s.event);
    expect(usage).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(JSON.stringify(message).length).toBeLessThanOrEqual(256 * 1024);
  });

  it("pauses producers when the buffer is full and resumes them once acks free room", async () => {
    const { buffer, sink, gate } = sinkWith(16 * 1024);
    let n = 0;
    while (!sink.isFull) sink.emit({ type: "log", source: "t", stream: "stdout", text: `line ${++n}` });
    sink.emit({ type: "log", source: "t", stream: "stdout", text: "one more: never dropped" });
    expect(gate.paused).toBe(1);
    expect(buffer.lastSeq).toBe(n + 1);
    buffer.ack(buffer.lastSeq);
    await sink.waitForRoom();
    await Promise.resolve();
    expect(gate.resumed).toBe(1);
  });
});
