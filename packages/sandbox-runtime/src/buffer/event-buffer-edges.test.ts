import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventBuffer } from "./event-buffer";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-buffer-edges-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const log = (n: number) => ({ type: "log", source: "test", stream: "stdout", text: `line ${n}\n` });
const seqs = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
const segments = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".seg"))
    .sort();

describe("EventBuffer edges", () => {
  it("returns at least one record however small the byte budget, and stops at the budget after that", () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20 });
    for (let i = 1; i <= 5; i++) buffer.append(log(i));
    const one = buffer.readAfter(0, 10, 1);
    expect(one && seqs(one.lines)).toEqual([1]);
    expect(one).toMatchObject({ firstSeq: 1, lastSeq: 1, bytes: Buffer.byteLength(`${one!.lines[0]}\n`) });
    const recordBytes = one!.bytes;
    const two = buffer.readAfter(1, 10, recordBytes * 2);
    expect(two && seqs(two.lines)).toEqual([2, 3]);
    expect(two?.bytes).toBe(recordBytes * 2);
    const capped = buffer.readAfter(0, 2, 1 << 20);
    expect(capped && seqs(capped.lines)).toEqual([1, 2]);
    expect(capped?.lastSeq).toBe(2);
  });

  it("reads on where the last read stopped, and from the start when asked for earlier records again", () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 1; i <= 200; i++) buffer.append(log(i));
    const all: number[] = [];
    for (
      let batch = buffer.readAfter(0, 7, 1 << 20);
      batch;
      batch = buffer.readAfter(batch.lastSeq, 7, 1 << 20)
    )
      all.push(...seqs(batch.lines));
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // A reconnecting bridge asks again from an earlier point.
    expect(seqs(buffer.readAfter(3, 2, 1 << 20)!.lines)).toEqual([4, 5]);
    expect(seqs(buffer.readAfter(150, 3, 1 << 20)!.lines)).toEqual([151, 152, 153]);
    expect(seqs(buffer.readAfter(5, 1, 1 << 20)!.lines)).toEqual([6]);
    buffer.append(log(201));
    expect(seqs(buffer.readAfter(200, 5, 1 << 20)!.lines)).toEqual([201]);
  });

  it("never reads below the acked seq, even when asked to", () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 1; i <= 10; i++) buffer.append(log(i));
    buffer.ack(4);
    expect(seqs(buffer.readAfter(0, 3, 1 << 20)!.lines)).toEqual([5, 6, 7]);
    expect(buffer.readAfter(0, 3, 1 << 20)?.firstSeq).toBe(5);
  });

  it("starts a new segment file once one reaches its size, named by its first seq", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    let n = 0;
    while (segments(dir).length < 2) buffer.append(log(++n));
    const [first, second] = segments(dir);
    expect(first).toBe("0000000000000001.seg");
    expect(second).toBe(`${String(n).padStart(16, "0")}.seg`);
    expect(readFileSync(join(dir, first!)).length).toBeGreaterThanOrEqual(4096);
    expect(readFileSync(join(dir, first!)).length).toBeLessThan(4096 + 100);
  });

  it("keeps segments at least 4 KiB and at most an eighth of the limit", () => {
    const small = tempDir();
    const tiny = new EventBuffer({ dir: small, maxBytes: 1 << 20, segmentBytes: 10 });
    for (let i = 1; i <= 10; i++) tiny.append(log(i));
    expect(segments(small)).toHaveLength(1);
    const eighth = tempDir();
    const bounded = new EventBuffer({ dir: eighth, maxBytes: 64 * 1024 });
    let n = 0;
    while (segments(eighth).length < 2) bounded.append(log(++n));
    expect(readFileSync(join(eighth, segments(eighth)[0]!)).length).toBeLessThan(8 * 1024 + 100);
  });

  it("ignores an ack for an older seq and clamps an ack past what it produced", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 5; i++) buffer.append(log(i));
    buffer.ack(3);
    buffer.ack(2);
    expect(buffer.ackedSeq).toBe(3);
    expect(readFileSync(join(dir, "acked"), "utf8")).toBe("3");
    buffer.ack(99);
    expect(buffer.ackedSeq).toBe(5);
    expect(buffer.bytesOnDisk).toBe(0);
    expect(segments(dir)).toEqual([]);
  });

  it("does not go back when told of a seq it already passed", () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20 });
    for (let i = 1; i <= 5; i++) buffer.append(log(i));
    buffer.advanceTo(5);
    buffer.advanceTo(2);
    expect(buffer.lastSeq).toBe(5);
    expect(seqs(buffer.readAfter(0, 10, 1 << 20)!.lines)).toEqual([1, 2, 3, 4, 5]);
  });

  it("remembers a jump ahead across a restart and frees a producer waiting for room", async () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir, maxBytes: 32 * 1024, segmentBytes: 4096 });
    let n = 0;
    while (!buffer.isFull) buffer.append(log(++n));
    const waiting = buffer.waitForRoom();
    buffer.advanceTo(n + 100);
    await waiting;
    expect(buffer.bytesOnDisk).toBe(0);
    expect(segments(dir)).toEqual([]);
    buffer.close();
    const again = new EventBuffer({ dir, maxBytes: 32 * 1024 });
    expect(again.ackedSeq).toBe(n + 100);
    expect(again.append(log(0))).toBe(n + 101);
  });

  it("lets a producer waiting for room go when the buffer closes", async () => {
    const buffer = new EventBuffer({ dir: tempDir(), maxBytes: 32 * 1024, segmentBytes: 4096 });
    while (!buffer.isFull) buffer.append(log(1));
    const waiting = buffer.waitForRoom();
    buffer.close();
    await expect(waiting).resolves.toBeUndefined();
    await expect(
      new EventBuffer({ dir: tempDir(), maxBytes: 1 << 20 }).waitForRoom(),
    ).resolves.toBeUndefined();
  });

  it("starts from zero when its acked file is unreadable, and drops segments already acked or empty", () => {
    const dir = tempDir();
    const first = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 1; i <= 300; i++) first.append(log(i));
    first.close();
    const names = segments(dir);
    expect(names.length).toBeGreaterThan(2);
    writeFileSync(join(dir, "acked"), "not a number");
    writeFileSync(join(dir, "9999999999999999.seg"), "");
    const second = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    expect(second.ackedSeq).toBe(0);
    expect(second.lastSeq).toBe(300);
    expect(segments(dir)).toEqual(names);
    second.close();
    writeFileSync(join(dir, "acked"), "200");
    const third = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    expect(segments(dir).length).toBeLessThan(names.length);
    expect(seqs(third.readAfter(0, 1, 1 << 20)!.lines)).toEqual([201]);
    expect(third.bytesOnDisk).toBeLessThan(second.bytesOnDisk);
  });

  it("appends after a restart into the last segment while it has room", () => {
    const dir = tempDir();
    const first = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 1; i <= 3; i++) first.append(log(i));
    first.close();
    const second = new EventBuffer({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    second.append(log(4));
    expect(segments(dir)).toEqual(["0000000000000001.seg"]);
    expect(seqs(second.readAfter(0, 10, 1 << 20)!.lines)).toEqual([1, 2, 3, 4]);
  });

  it("refuses a segment whose record does not start with its seq", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir, maxBytes: 1 << 20 });
    buffer.append(log(1));
    buffer.close();
    appendFileSync(join(dir, "0000000000000001.seg"), '{"event":{},"seq":2}\n');
    expect(() => new EventBuffer({ dir, maxBytes: 1 << 20 })).toThrow(
      "corrupt buffer record: a line does not start with a seq",
    );
  });
});
