/**
 * Inflates one zlib stream out of a longer byte stream (a pack holds one per object, back to
 * back, with no compressed length) and says exactly how many input bytes it took. pako's
 * `Inflate` class cannot: past the end of a stream it resets and inflates the next one. So this
 * drives pako's zlib port directly and stops at Z_STREAM_END.
 */
import * as zlib from "pako/lib/zlib/inflate.js";
import ZStream from "pako/lib/zlib/zstream.js";

const Z_NO_FLUSH = 0;
const Z_OK = 0;
const Z_STREAM_END = 1;
const Z_BUF_ERROR = -5;
const OUT_CHUNK = 64 * 1024;

export type InflateStep =
  | { status: "more"; consumed: number }
  | { status: "end"; consumed: number }
  | { status: "error"; message: string };

export class ZlibObject {
  private readonly strm = new ZStream();
  private produced = 0;

  /**
   * `keep` receives each inflated piece (copied); without it the output is dropped as it comes.
   * `maxSize`: inflating past it is an error (a pack header states each object's size, so a
   * zlib bomb is stopped at the size it claimed).
   */
  constructor(
    private readonly keep: ((piece: Uint8Array) => void) | null,
    private readonly maxSize: number,
  ) {
    zlib.inflateInit2(this.strm, 15);
    this.strm.output = new Uint8Array(OUT_CHUNK);
    this.strm.next_out = 0;
    this.strm.avail_out = OUT_CHUNK;
  }

  /** Bytes inflated so far. */
  get size(): number {
    return this.produced + this.strm.next_out;
  }

  /** Feeds `input`; "end" says how many of its bytes belonged to this stream. */
  feed(input: Uint8Array): InflateStep {
    const strm = this.strm;
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    for (;;) {
      const status = zlib.inflate(strm, Z_NO_FLUSH);
      if (status === Z_STREAM_END) {
        if (this.size > this.maxSize)
          return { status: "error", message: "a pack object inflates past the size its header states" };
        this.drain();
        zlib.inflateEnd(strm);
        return { status: "end", consumed: strm.next_in };
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR)
        return { status: "error", message: "a pack object is not a valid zlib stream" };
      if (this.size > this.maxSize)
        return { status: "error", message: "a pack object inflates past the size its header states" };
      if (strm.avail_out === 0) {
        this.drain();
        continue;
      }
      if (strm.avail_in === 0) return { status: "more", consumed: input.length };
      if (status === Z_BUF_ERROR)
        return { status: "error", message: "a pack object's zlib stream made no progress" };
    }
  }

  private drain(): void {
    const strm = this.strm;
    if (strm.next_out === 0 || !strm.output) return;
    this.keep?.(strm.output.slice(0, strm.next_out));
    this.produced += strm.next_out;
    strm.next_out = 0;
    strm.avail_out = OUT_CHUNK;
  }
}
