import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { EventBuffer } from "./event-buffer";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-buffer-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const log = (n: number) => ({ type: "log", source: "test", stream: "stdout", text: `line ${n}\n` });
const seqs = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { seq: number }).seq);

describe("EventBuffer", () => {
  it("numbers events from 1 and reads them back in order, in bounded batches", () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20 });
    for (let i = 1; i <= 25; i++) expect(buffer.append(log(i))).toBe(i);
    const first = buffer.readAfter(0, 10, 1 << 20);
    expect(first && seqs(first.lines)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(JSON.parse(first!.lines[2]!).event).toEqual(log(3));
    const next = buffer.readAfter(10, 100, 300);
    expect(next!.firstSeq).toBe(11);
    expect(next!.bytes).toBeLessThanOrEqual(300);
    expect(seqs(next!.lines)[0]).toBe(11);
    expect(buffer.readAfter(25, 10, 1000)).toBeNull();
  });

  it("trims acked segments from disk and never reads acked events again", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 1; i <= 500; i++) buffer.append(log(i));
    const segmentsBefore = readdirSync(dir).filter((f) => f.endsWith(".seg")).length;
    expect(segmentsBefore).toBeGreaterThan(3);
    const bytesBefore = buffer.bytesOnDisk;
    buffer.ack(400);
    expect(buffer.ackedSeq).toBe(400);
    expect(buffer.bytesOnDisk).toBeLessThan(bytesBefore / 2);
    expect(readdirSync(dir).filter((f) => f.endsWith(".seg")).length).toBeLessThan(segmentsBefore);
    expect(seqs(buffer.readAfter(0, 10, 1 << 20)!.lines)[0]).toBe(401);
    buffer.ack(500);
    expect(buffer.bytesOnDisk).toBe(0);
    expect(buffer.append(log(501))).toBe(501);
  });

  it("continues numbering and replays unacked events after a restart, dropping a torn last record", () => {
    const dir = tempDir();
    const first = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 1; i <= 120; i++) first.append(log(i));
    first.ack(50);
    first.close();
    // A crash in the middle of a write leaves half a record at the end of the last segment.
    const last = readdirSync(dir)
      .filter((f) => f.endsWith(".seg"))
      .sort()
      .at(-1)!;
    appendFileSync(join(dir, last), '{"seq":121,"event":{"type":"lo');

    const second = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    expect(second.ackedSeq).toBe(50);
    expect(second.lastSeq).toBe(120);
    const replay: number[] = [];
    for (
      let batch = second.readAfter(50, 30, 1 << 20);
      batch;
      batch = second.readAfter(batch.lastSeq, 30, 1 << 20)
    ) {
      replay.push(...seqs(batch.lines));
    }
    expect(replay).toEqual(Array.from({ length: 70 }, (_, i) => 51 + i));
    expect(second.append(log(121))).toBe(121);
  });

  it("keeps its numbering when everything was acked before a restart", () => {
    const dir = tempDir();
    const first = new EventBuffer({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 7; i++) first.append(log(i));
    first.ack(7);
    first.close();
    const second = new EventBuffer({ dir, maxBytes: 1 << 20 });
    expect(second.lastSeq).toBe(7);
    expect(second.append(log(8))).toBe(8);
  });

  it("reports full at the byte limit and lets producers continue once acks free room", async () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 64 * 1024, segmentBytes: 4096 });
    let n = 0;
    while (!buffer.isFull) buffer.append(log(++n));
    expect(buffer.bytesOnDisk).toBeGreaterThanOrEqual(64 * 1024);
    let resumed = false;
    const waiting = buffer.waitForRoom().then(() => {
      resumed = true;
    });
    await Promise.resolve();
    expect(resumed).toBe(false);
    buffer.ack(10); // inside the first segment: frees nothing
    await Promise.resolve();
    expect(resumed).toBe(false);
    buffer.ack(n);
    await waiting;
    expect(resumed).toBe(true);
    expect(buffer.isFull).toBe(false);
  });

  it("jumps ahead when the control plane has seen more than it has", () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20 });
    buffer.append(log(1));
    buffer.advanceTo(40);
    expect(buffer.lastSeq).toBe(40);
    expect(buffer.readAfter(0, 10, 1000)).toBeNull();
    expect(buffer.append(log(41))).toBe(41);
  });

  it("stays flat in memory for 100k events written, streamed and acked", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 256 * 1024 * 1024 });
    const text = "x".repeat(200);
    gc();
    const before = process.memoryUsage().heapUsed;
    let sent = 0;
    let peak = 0;
    for (let i = 1; i <= 100_000; i++) {
      buffer.append({ type: "message.delta", messageId: "m", text: `${i} ${text}` });
      if (i % 5000 === 0) {
        // The bridge streams while the agent produces; acks arrive in between.
        for (
          let batch = buffer.readAfter(sent, 500, 900_000);
          batch;
          batch = buffer.readAfter(sent, 500, 900_000)
        ) {
          sent = batch.lastSeq;
        }
        if (i % 20_000 === 0) buffer.ack(sent - 1000);
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    expect(sent).toBe(100_000);
    expect(buffer.bytesOnDisk).toBeGreaterThan(0);
    // ~22 MB of events went through; the heap grows by far less than one copy of them.
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });
});
