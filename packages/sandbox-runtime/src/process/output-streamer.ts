/**
 * Turns a child's output stream into `log` events: text is decoded as UTF-8 across chunk
 * boundaries and coalesced for a short while, so a chatty build yields a few events a second
 * instead of one per line; an event ends on a line boundary unless a single line is huge.
 */
import { StringDecoder } from "node:string_decoder";
import type { Emit } from "../events/event-sink";

export interface OutputStreamerOptions {
  source: string;
  stream: "stdout" | "stderr";
  emit: Emit;
  /** Longest time text waits before it is sent. */
  flushMs?: number;
  /** Text size that is sent at once. */
  maxChunk?: number;
}

export interface OutputStreamer {
  write(chunk: Buffer | string): void;
  /** Sends what is pending (call when the stream ends). */
  end(): void;
}

export function createOutputStreamer(options: OutputStreamerOptions): OutputStreamer {
  const flushMs = options.flushMs ?? 100;
  const maxChunk = options.maxChunk ?? 16 * 1024;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let timer: NodeJS.Timeout | null = null;

  const send = (text: string) => {
    if (text.length > 0) options.emit({ type: "log", source: options.source, stream: options.stream, text });
  };
  const flush = (all: boolean) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (all) {
      send(pending);
      pending = "";
      return;
    }
    // Keep a trailing partial line for the next chunk, unless it is already too long.
    const cut = pending.lastIndexOf("\n") + 1;
    const upTo = cut > 0 ? cut : pending.length >= maxChunk ? pending.length : 0;
    send(pending.slice(0, upTo));
    pending = pending.slice(upTo);
    if (pending.length > 0) timer = setTimeout(() => flush(true), flushMs);
  };

  return {
    write(chunk) {
      pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
      while (pending.length >= maxChunk) {
        const cut = pending.lastIndexOf("\n", maxChunk) + 1;
        const upTo = cut > 0 ? cut : maxChunk;
        send(pending.slice(0, upTo));
        pending = pending.slice(upTo);
      }
      if (pending.length > 0 && !timer) timer = setTimeout(() => flush(false), flushMs);
    },
    end() {
      pending += decoder.end();
      flush(true);
    },
  };
}
