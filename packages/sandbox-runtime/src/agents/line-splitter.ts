/**
 * Splits a byte stream (a CLI's stdout or stderr) into lines with bounded memory. Bytes are
 * buffered until a newline, so a multi-byte character split across chunks decodes whole; a line
 * longer than the cap is dropped (its size reported) instead of growing the buffer without end.
 */

export interface LineSplitterOptions {
  maxLineBytes: number;
  onLine: (line: string) => void;
  /** Called with the size of a line that was dropped for being over the cap. */
  onOversize: (bytes: number) => void;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of an oversize line being skipped; -1 when not skipping. */
  private skipped = -1;
  private readonly options: LineSplitterOptions;

  constructor(options: LineSplitterOptions) {
    this.options = options;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk.subarray(start, end));
      if (newline === -1) return;
      this.completeLine();
      start = newline + 1;
    }
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.pendingBytes > 0 || this.skipped > 0) this.completeLine();
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipped >= 0) {
      this.skipped += piece.length;
      return;
    }
    if (this.pendingBytes + piece.length > this.options.maxLineBytes) {
      this.skipped = this.pendingBytes + piece.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private completeLine(): void {
    if (this.skipped >= 0) {
      const bytes = this.skipped;
      this.skipped = -1;
      this.options.onOversize(bytes);
      return;
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString("utf8").replace(/\r$/, "");
    this.pending = [];
    this.pendingBytes = 0;
    this.options.onLine(line);
  }
}
