/**
 * The unacked-event buffer: append-only segment files on disk, so a backlog of any length costs
 * the same few kilobytes of memory. Each line of a segment is one record, `{"seq":N,"event":{...}}`.
 * Acks delete whole segments; the acked seq is persisted so a restarted runtime continues its
 * numbering. When the bytes on disk reach the limit the buffer reports itself full and producers
 * wait for room (`waitForRoom`): events are never dropped.
 */
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

export interface EventBufferOptions {
  /** Directory of the segment files; created when missing. */
  dir: string;
  /** Bytes on disk at which the buffer reports itself full. */
  maxBytes: number;
  /** Size at which a segment is closed and a new one started (smaller: finer trimming). */
  segmentBytes?: number;
}

export interface ReadBatch {
  /** Record lines (JSON text), in seq order. */
  lines: string[];
  firstSeq: number;
  lastSeq: number;
  bytes: number;
}

interface Segment {
  firstSeq: number;
  lastSeq: number;
  bytes: number;
  path: string;
}

const SEGMENT_SUFFIX = ".seg";
const ACKED_FILE = "acked";
const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
const SEQ_PREFIX = /^\{"seq":(\d+),/;

function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, "0")}${SEGMENT_SUFFIX}`;
}

function seqOfLine(line: string): number {
  const match = SEQ_PREFIX.exec(line);
  if (!match) throw new Error("corrupt buffer record: a line does not start with a seq");
  return Number(match[1]);
}

function readNumberFile(path: string): number {
  if (!existsSync(path)) return 0;
  const value = Number(readFileSync(path, "utf8").trim());
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function writeNumberFile(path: string, value: number): void {
  // Write-then-rename, so a crash leaves either the old or the new number, never half of one.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, String(value));
  renameSync(tmp, path);
}

export class EventBuffer {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private segments: Segment[] = [];
  private writeFd: number | null = null;
  private nextSeq = 1;
  private acked = 0;
  private totalBytes = 0;
  private roomWaiters: Array<() => void> = [];
  /** Where the last read stopped, so a live tail is read incrementally instead of from the segment start. */
  private cursor: { firstSeq: number; offset: number; nextSeq: number } | null = null;

  constructor(options: EventBufferOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = Math.max(
      4096,
      Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, options.maxBytes / 8),
    );
    mkdirSync(this.dir, { recursive: true });
    this.restore();
  }

  /** Highest seq produced so far (0 before the first event). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get ackedSeq(): number {
    return this.acked;
  }

  /** Bytes of the segment files still on disk (acked records in a partly acked segment included). */
  get bytesOnDisk(): number {
    return this.totalBytes;
  }

  get isFull(): boolean {
    return this.totalBytes >= this.maxBytes;
  }

  /** Appends one event under the next seq and returns that seq. Never refuses: callers wait for room first. */
  append(event: unknown): number {
    const seq = this.nextSeq;
    const line = `${JSON.stringify({ seq, event })}\n`;
    const bytes = Buffer.byteLength(line);
    let segment = this.segments.at(-1);
    if (!segment || this.writeFd === null || segment.bytes >= this.segmentBytes) {
      this.closeWriter();
      segment = { firstSeq: seq, lastSeq: seq - 1, bytes: 0, path: join(this.dir, segmentName(seq)) };
      this.segments.push(segment);
      this.writeFd = openSync(segment.path, "a");
    }
    writeSync(this.writeFd, line);
    segment.lastSeq = seq;
    segment.bytes += bytes;
    this.totalBytes += bytes;
    this.nextSeq = seq + 1;
    return seq;
  }

  /**
   * Reads records after `afterSeq`, at most `maxEvents` of them and about `maxBytes` of text
   * (always at least one record when there is one). Memory use is bounded by one read of
   * `maxBytes` plus one record.
   */
  readAfter(afterSeq: number, maxEvents: number, maxBytes: number): ReadBatch | null {
    const lines: string[] = [];
    let bytes = 0;
    let want = Math.max(afterSeq, this.acked) + 1;
    const first = want;
    for (const segment of this.segments) {
      if (segment.lastSeq < want) continue;
      const cursor = this.cursor;
      let offset =
        cursor && cursor.firstSeq === segment.firstSeq && cursor.nextSeq === want ? cursor.offset : 0;
      const fd = openSync(segment.path, "r");
      try {
        while (offset < segment.bytes && lines.length < maxEvents && bytes < maxBytes) {
          const size = Math.min(segment.bytes - offset, maxBytes - bytes + 512 * 1024);
          const chunk = Buffer.allocUnsafe(size);
          const read = readSync(fd, chunk, 0, size, offset);
          const end = chunk.lastIndexOf(0x0a, read - 1);
          if (end < 0) throw new Error(`corrupt buffer segment ${segment.path}: a record has no line end`);
          let start = 0;
          while (start <= end) {
            const newline = chunk.indexOf(0x0a, start);
            const line = chunk.toString("utf8", start, newline);
            const lineBytes = newline + 1 - start;
            const seq = seqOfLine(line);
            if (seq >= want) {
              if (lines.length >= maxEvents || (lines.length > 0 && bytes + lineBytes > maxBytes)) {
                this.cursor = { firstSeq: segment.firstSeq, offset: offset + start, nextSeq: want };
                return { lines, firstSeq: first, lastSeq: want - 1, bytes };
              }
              lines.push(line);
              bytes += lineBytes;
              want = seq + 1;
            }
            start = newline + 1;
          }
          offset += end + 1;
        }
        this.cursor = { firstSeq: segment.firstSeq, offset, nextSeq: want };
      } finally {
        closeSync(fd);
      }
      if (lines.length >= maxEvents || bytes >= maxBytes) break;
    }
    return lines.length === 0 ? null : { lines, firstSeq: first, lastSeq: want - 1, bytes };
  }

  /** Records that everything up to `seq` is stored by the control plane; frees whole segments. */
  ack(seq: number): void {
    const upTo = Math.min(seq, this.lastSeq);
    if (upTo <= this.acked) return;
    this.acked = upTo;
    writeNumberFile(join(this.dir, ACKED_FILE), this.acked);
    while (this.segments.length > 0 && this.segments[0]!.lastSeq <= this.acked) {
      const segment = this.segments.shift()!;
      if (this.segments.length === 0) this.closeWriter();
      rmSync(segment.path, { force: true });
      this.totalBytes -= segment.bytes;
    }
    if (!this.isFull) this.releaseWaiters();
  }

  /**
   * The control plane has stored more than this buffer ever produced (its state outlived ours):
   * continue numbering after its seq so new events are not mistaken for duplicates.
   */
  advanceTo(seq: number): void {
    if (seq <= this.lastSeq) return;
    this.closeWriter();
    for (const segment of this.segments) rmSync(segment.path, { force: true });
    this.segments = [];
    this.totalBytes = 0;
    this.nextSeq = seq + 1;
    this.acked = seq;
    this.cursor = null;
    writeNumberFile(join(this.dir, ACKED_FILE), this.acked);
    this.releaseWaiters();
  }

  /** Resolves at once when there is room, else when acks have freed enough of the buffer. */
  waitForRoom(): Promise<void> {
    if (!this.isFull) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  close(): void {
    this.closeWriter();
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private closeWriter(): void {
    if (this.writeFd !== null) {
      closeSync(this.writeFd);
      this.writeFd = null;
    }
  }

  /** Rebuilds the segment list from disk after a restart; a record cut by a crash is truncated away. */
  private restore(): void {
    this.acked = readNumberFile(join(this.dir, ACKED_FILE));
    let lastSeq = this.acked;
    const names = readdirSync(this.dir)
      .filter((name) => name.endsWith(SEGMENT_SUFFIX))
      .sort();
    for (const name of names) {
      const path = join(this.dir, name);
      const data = readFileSync(path);
      const complete = data.lastIndexOf(0x0a) + 1;
      if (complete < data.length) {
        const fd = openSync(path, "r+");
        ftruncateSync(fd, complete);
        closeSync(fd);
      }
      const lines = data.toString("utf8", 0, complete).split("\n").filter(Boolean);
      if (lines.length === 0) {
        rmSync(path, { force: true });
        continue;
      }
      const segment: Segment = {
        firstSeq: seqOfLine(lines[0]!),
        lastSeq: seqOfLine(lines.at(-1)!),
        bytes: complete,
        path,
      };
      if (segment.lastSeq <= this.acked) {
        rmSync(path, { force: true });
        continue;
      }
      this.segments.push(segment);
      this.totalBytes += segment.bytes;
      lastSeq = Math.max(lastSeq, segment.lastSeq);
    }
    this.nextSeq = lastSeq + 1;
    // The last segment is reopened for appends only if it has room; otherwise append starts a new one.
    const tail = this.segments.at(-1);
    if (tail && tail.bytes < this.segmentBytes) this.writeFd = openSync(tail.path, "a");
  }
}
