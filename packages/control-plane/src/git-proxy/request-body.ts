/**
 * Reading a git request body as a stream: the receive-pack head (the only part ever buffered),
 * a byte budget over the whole body, and draining what is left so git hears a refusal instead of
 * a broken pipe.
 */
import { concatBytes } from "./pkt-line";
import { type HeadParse, MAX_HEAD_BYTES, parseReceivePackHead } from "./receive-pack-request";

export type BodyReader = ReadableStreamDefaultReader<Uint8Array>;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** Counts bytes as they are read and throws past `limit`. */
export class BudgetedReader {
  private total = 0;

  constructor(
    private readonly reader: BodyReader,
    readonly limit: number,
  ) {}

  async read(): Promise<Uint8Array | null> {
    const { done, value } = await this.reader.read();
    if (done) return null;
    this.total += value.length;
    if (this.total > this.limit) throw new BodyTooLarge(this.limit);
    return value;
  }

  /** Reads and drops the rest (within the budget), so the client finishes sending. */
  async drain(): Promise<void> {
    try {
      while ((await this.read()) !== null) {
        // dropped
      }
    } catch {
      await this.reader.cancel().catch(() => undefined);
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => undefined);
  }
}

export type HeadRead =
  | { status: "ok"; parse: Extract<HeadParse, { status: "ok" }>; bytes: Uint8Array }
  | { status: "malformed"; message: string };

/** Reads until the receive-pack head is complete; `bytes` is everything read so far (head and any pack start). */
export async function readHead(body: BudgetedReader): Promise<HeadRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = await body.read();
    if (chunk === null)
      return { status: "malformed", message: "the push request ended before its ref updates did" };
    chunks.push(chunk);
    size += chunk.length;
    const bytes = chunks.length === 1 ? chunk : concatBytes(chunks);
    const parse = parseReceivePackHead(bytes);
    if (parse.status === "ok") return { status: "ok", parse, bytes };
    if (parse.status === "malformed") return parse;
    if (size > MAX_HEAD_BYTES)
      return {
        status: "malformed",
        message: `the push's ref updates take more than ${MAX_HEAD_BYTES} bytes`,
      };
  }
}
