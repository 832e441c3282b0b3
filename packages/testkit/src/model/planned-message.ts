/**
 * What the scripted model is about to answer, before any wire format: an assistant message of
 * text and tool-call blocks with its token counts. Each encoder renders it in its own format.
 */
import { estimateTokens } from "./token-estimate";

export type PlannedBlock =
  | { type: "text"; text: string; chunks: number; chunkDelayMs: number }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface PlannedMessage {
  id: string;
  model: string;
  inputTokens: number;
  blocks: PlannedBlock[];
}

/** One server-sent event; `pauseMs` is how long the server waits after writing it. */
export interface SseFrame {
  /** The `event:` field; formats that send only `data:` leave it out. */
  event?: string;
  data: Record<string, unknown> | string;
  pauseMs?: number;
}

export function formatSse(frame: SseFrame): string {
  const data = typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data);
  return `${frame.event ? `event: ${frame.event}\n` : ""}data: ${data}\n\n`;
}

export function outputTokensOf(message: PlannedMessage): number {
  let tokens = 0;
  for (const block of message.blocks) {
    tokens += estimateTokens(block.type === "text" ? block.text : JSON.stringify(block.input));
  }
  return Math.max(1, tokens);
}

export function hasToolCall(message: PlannedMessage): boolean {
  return message.blocks.some((block) => block.type === "tool_use");
}

/** Splits text into `count` pieces of near-equal length without cutting a code point. */
export function splitIntoChunks(text: string, count: number): string[] {
  const chars = Array.from(text);
  const pieces = Math.max(1, Math.min(count, chars.length));
  const size = Math.ceil(chars.length / pieces);
  const chunks: string[] = [];
  for (let start = 0; start < chars.length; start += size) {
    chunks.push(chars.slice(start, start + size).join(""));
  }
  return chunks.length > 0 ? chunks : [""];
}
