/**
 * The Gemini API wire format, server side: `GenerateContentResponse` chunks as SSE `data:`
 * lines (`?alt=sse`; text streamed in pieces, a function call whole, the last chunk with
 * `finishReason` and `usageMetadata`), the non-streaming body, and Google's error body
 * `{"error":{code,message,status}}`.
 */
import { outputTokensOf, type PlannedMessage, type SseFrame, splitIntoChunks } from "./planned-message";

function usageMetadata(message: PlannedMessage) {
  const candidates = outputTokensOf(message);
  return {
    promptTokenCount: message.inputTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: message.inputTokens + candidates,
  };
}

function chunk(message: PlannedMessage, parts: unknown[], last: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { role: "model", parts }, index: 0, ...(last ? { finishReason: "STOP" } : {}) }],
    ...(last ? { usageMetadata: usageMetadata(message) } : {}),
    modelVersion: message.model,
    responseId: message.id,
  };
}

function partsOf(message: PlannedMessage, textChunks: boolean): { parts: unknown[]; pauseMs: number }[] {
  const pieces: { parts: unknown[]; pauseMs: number }[] = [];
  for (const block of message.blocks) {
    if (block.type === "text") {
      const texts = textChunks ? splitIntoChunks(block.text, block.chunks) : [block.text];
      for (const text of texts) pieces.push({ parts: [{ text }], pauseMs: block.chunkDelayMs });
    } else {
      pieces.push({
        parts: [{ functionCall: { name: block.name, args: block.input, id: block.id } }],
        pauseMs: 0,
      });
    }
  }
  return pieces;
}

export function geminiStreamFrames(message: PlannedMessage): SseFrame[] {
  const pieces = partsOf(message, true);
  return pieces.map((piece, i) => ({
    data: chunk(message, piece.parts, i === pieces.length - 1),
    pauseMs: piece.pauseMs,
  }));
}

export function geminiBody(message: PlannedMessage): Record<string, unknown> {
  return chunk(
    message,
    partsOf(message, false).flatMap((piece) => piece.parts),
    true,
  );
}

const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  529: "UNAVAILABLE",
};

export function geminiErrorBody(status: number, type: string | undefined, message: string) {
  return { error: { code: status, message, status: type ?? GOOGLE_STATUS[status] ?? "UNKNOWN" } };
}
