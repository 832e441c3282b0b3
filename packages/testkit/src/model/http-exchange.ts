/**
 * The HTTP plumbing of the scripted model: reading a bounded request body, flattening headers,
 * finding the API key a client presented (every model API's way), and comparing it in constant
 * time. A failure that maps to a status travels as `HttpFailure`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export class HttpFailure extends Error {
  readonly status: number;
  /** The API error type, or undefined for the format's default for the status. */
  readonly type: string | undefined;
  constructor(status: number, message: string, type?: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The whole body, or HttpFailure 413 once it passes `limit` bytes (the rest is read and dropped). */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > limit)
        reject(new HttpFailure(413, `request body exceeds ${limit} bytes`, "request_too_large"));
      else resolve(Buffer.concat(chunks));
    });
    request.on("error", reject);
  });
}

/** x-api-key (Anthropic), Authorization: Bearer (OpenAI), x-goog-api-key or ?key= (Gemini). */
export function presentedKey(headers: Record<string, string>, url: URL): string | undefined {
  if (headers["x-api-key"]) return headers["x-api-key"];
  if (headers["x-goog-api-key"]) return headers["x-goog-api-key"];
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "");
  return bearer?.[1] ?? url.searchParams.get("key") ?? undefined;
}

export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
