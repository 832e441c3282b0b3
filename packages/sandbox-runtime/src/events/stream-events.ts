/**
 * Which events are pieces of a longer text, and the masking of those across pieces (see
 * stream-masker.ts). A stream is one message's deltas, or one log source's stdout or stderr.
 * A piece's held-back tail is released with the stream's next piece, or as an event of its own
 * (the same kind, same stream) when the stream ends: before any event that is not a piece (the
 * `message` that completes the deltas, a tool call, `turn.end`, an error), or when the runtime
 * says so (`endAll`: hooks done, shutdown).
 */
import { StreamMasker } from "./stream-masker";

interface StreamPiece {
  key: string;
  text: string;
  /** The same event carrying other text. */
  withText(text: string): unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function pieceOf(input: unknown): StreamPiece | null {
  if (!isRecord(input) || typeof input.text !== "string") return null;
  const withText = (text: string) => ({ ...input, text });
  if (input.type === "message.delta" && typeof input.messageId === "string") {
    return { key: `delta\0${input.messageId}`, text: input.text, withText };
  }
  if (input.type === "log" && typeof input.source === "string" && typeof input.stream === "string") {
    return { key: `log\0${input.source}\0${input.stream}`, text: input.text, withText };
  }
  return null;
}

export class StreamEventMasker {
  private readonly masker: StreamMasker;
  private readonly rebuild = new Map<string, (text: string) => unknown>();

  constructor(secretValues: readonly string[]) {
    this.masker = new StreamMasker(secretValues);
  }

  /** The events to append for `input`, in order (maybe none: all of a piece may be held back). */
  accept(input: unknown): unknown[] {
    const piece = pieceOf(input);
    if (!piece) return this.masker.openStreams.length > 0 ? [...this.endAll(), input] : [input];
    const text = this.masker.push(piece.key, piece.text);
    if (this.masker.isOpen(piece.key)) this.rebuild.set(piece.key, piece.withText);
    else this.rebuild.delete(piece.key);
    return text.length > 0 ? [piece.withText(text)] : [];
  }

  /** Every stream's held-back text, as events, in the order the streams were opened. */
  endAll(): unknown[] {
    const out: unknown[] = [];
    for (const key of this.masker.openStreams) {
      const text = this.masker.end(key);
      const withText = this.rebuild.get(key);
      this.rebuild.delete(key);
      if (text.length > 0 && withText) out.push(withText(text));
    }
    return out;
  }
}
