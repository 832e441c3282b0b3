/**
 * The scripted model server: a double of the Anthropic Messages API on 127.0.0.1 for tests and
 * the keyless demo. Tests enqueue replies (one per model call, in order) and read back every
 * request received; when the queue is empty it answers "Done." — or, with autopilot on, drives
 * a small deterministic turn (see autopilot.ts).
 *
 * Served: `POST /v1/messages` (streaming SSE or JSON), `POST /v1/messages/count_tokens`,
 * `GET /v1/models`, and 200 to any `HEAD` (Claude Code's connectivity probe). Errors use the
 * API's body `{"type":"error","error":{"type","message"}}` and real status codes.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import {
  errorBody,
  formatSse,
  messageBody,
  type PlannedBlock,
  type PlannedMessage,
  streamFrames,
} from "./anthropic-encoder";
import { MessagesRequest } from "./anthropic-request";
import { type AutopilotOptions, autopilotReply } from "./autopilot";
import { errorTypeForStatus, parseReply, type Reply, type ReplyInput } from "./replies";
import { estimateInputTokens } from "./token-estimate";

export const ScriptedModelOptions = z.object({
  /** 0 (the default) picks a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** When set, requests with another key (x-api-key or Bearer) get 401. */
  apiKey: z.string().min(1).optional(),
  /** Answer an empty queue with an autopilot turn instead of "Done.". */
  autopilot: z.boolean().default(false),
  /** Pause between streamed deltas of autopilot text (ms). */
  autopilotChunkDelayMs: z.number().int().nonnegative().max(5_000).default(0),
  /** Requests larger than this get 413. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Receives one line per request handled (method, path, status); never keys or bodies. */
  log: z.custom<(line: string) => void>((v) => typeof v === "function").optional(),
});
export type ScriptedModelOptions = z.input<typeof ScriptedModelOptions>;

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
}

export interface ScriptedModel {
  url: string;
  port: number;
  /** Every request received, in order (including rejected ones). */
  readonly requests: RecordedRequest[];
  /** Queues replies; each answers one later model call. Throws on an invalid reply. */
  enqueue(...replies: ReplyInput[]): void;
  /** Replies still queued. */
  readonly queued: number;
  /** Resolves with the first recorded request (past or future) matching `predicate`. */
  waitForRequest(
    predicate?: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  close(): Promise<void>;
}

class HttpFailure extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > limit)
        reject(new HttpFailure(413, "request_too_large", `request body exceeds ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    request.on("error", reject);
  });
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function presentedKey(headers: Record<string, string>): string | undefined {
  if (headers["x-api-key"]) return headers["x-api-key"];
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "");
  return bearer?.[1];
}

export async function startScriptedModel(input: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const options = ScriptedModelOptions.parse(input);
  const autopilot: AutopilotOptions = { chunkDelayMs: options.autopilotChunkDelayMs };
  const queue: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_scripted_${++counter}`;

  /** Waits `ms`, or less if the client goes away or the server closes. */
  const pause = (ms: number, response: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || response.destroyed) return resolve();
      const finish = () => {
        clearTimeout(timer);
        timers.delete(timer);
        response.off("close", finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timers.add(timer);
      response.once("close", finish);
    });

  const sendJson = (response: ServerResponse, status: number, body: unknown, requestId: string) => {
    response.writeHead(status, { "content-type": "application/json", "request-id": requestId });
    response.end(JSON.stringify(body));
  };

  const parseMessagesRequest = (raw: Buffer): MessagesRequest => {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new HttpFailure(400, "invalid_request_error", "request body is not valid JSON");
    }
    const parsed = MessagesRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpFailure(
        400,
        "invalid_request_error",
        `${issue?.path.join(".") || "body"}: ${issue?.message}`,
      );
    }
    return parsed.data;
  };

  const plan = (
    reply: Exclude<Reply, { kind: "error" }>,
    model: string,
    bodyBytes: number,
  ): PlannedMessage => {
    const blocks: PlannedBlock[] = [];
    if (reply.kind === "text") {
      blocks.push({
        type: "text",
        text: reply.text,
        chunks: reply.chunks ?? 1,
        chunkDelayMs: reply.chunkDelayMs ?? 0,
      });
    } else {
      if (reply.text) blocks.push({ type: "text", text: reply.text, chunks: 1, chunkDelayMs: 0 });
      blocks.push({
        type: "tool_use",
        id: reply.id ?? nextId("toolu"),
        name: reply.name,
        input: reply.input,
      });
    }
    return { id: nextId("msg"), model, inputTokens: estimateInputTokens(bodyBytes), blocks };
  };

  const answerMessages = async (
    raw: Buffer,
    response: ServerResponse,
    requestId: string,
  ): Promise<number> => {
    const request = parseMessagesRequest(raw);
    const reply: Reply =
      queue.shift() ?? (options.autopilot ? autopilotReply(request, autopilot) : doneReply);
    await pause(reply.delayMs ?? 0, response);
    if (response.destroyed) return 499;
    if (reply.kind === "error") {
      const type = reply.type ?? errorTypeForStatus(reply.status);
      const headers: Record<string, string> = { "content-type": "application/json", "request-id": requestId };
      if (reply.status === 429) headers["retry-after"] = "1";
      if (reply.status === 529 || reply.status >= 500) headers["x-should-retry"] = "true";
      response.writeHead(reply.status, headers);
      response.end(JSON.stringify(errorBody(type, reply.message, requestId)));
      return reply.status;
    }
    const message = plan(reply, request.model, raw.length);
    if (request.stream !== true) {
      sendJson(response, 200, messageBody(message), requestId);
      return 200;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "request-id": requestId,
    });
    for (const frame of streamFrames(message)) {
      if (response.destroyed) return 499;
      response.write(formatSse(frame));
      await pause(frame.pauseMs ?? 0, response);
    }
    response.end();
    return 200;
  };

  const route = async (
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<number> => {
    const headers = flattenHeaders(request);
    const path = request.url ?? "/";
    const pathname = new URL(path, "http://scripted.invalid").pathname;
    const record = (body: unknown) => {
      requests.push({ method: request.method ?? "", path, headers, body });
      for (const wake of waiters) wake();
    };
    let raw: Buffer = Buffer.alloc(0);
    if (request.method !== "HEAD" && request.method !== "GET") {
      try {
        raw = await readBody(request, options.maxBodyBytes);
      } catch (error) {
        record(undefined);
        throw error;
      }
    }
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }
    record(body);

    if (request.method === "HEAD") {
      response.writeHead(200).end();
      return 200;
    }
    if (options.apiKey) {
      const key = presentedKey(headers);
      if (!key || !sameSecret(key, options.apiKey)) {
        throw new HttpFailure(401, "authentication_error", "invalid x-api-key");
      }
    }
    if (request.method === "POST" && pathname === "/v1/messages")
      return answerMessages(raw, response, requestId);
    if (request.method === "POST" && pathname === "/v1/messages/count_tokens") {
      parseMessagesRequest(raw);
      sendJson(response, 200, { input_tokens: estimateInputTokens(raw.length) }, requestId);
      return 200;
    }
    if (request.method === "GET" && pathname === "/v1/models") {
      const data = [
        {
          type: "model",
          id: "claude-sonnet-4-5",
          display_name: "Scripted",
          created_at: "2025-01-01T00:00:00Z",
        },
      ];
      sendJson(
        response,
        200,
        { data, has_more: false, first_id: data[0]!.id, last_id: data[0]!.id },
        requestId,
      );
      return 200;
    }
    throw new HttpFailure(
      404,
      "not_found_error",
      `${request.method} ${pathname} is not served by the scripted model`,
    );
  };

  const server = createServer((request, response) => {
    const requestId = nextId("req");
    route(request, response, requestId)
      .catch((error: unknown) => {
        const failure =
          error instanceof HttpFailure
            ? error
            : new HttpFailure(500, "api_error", "scripted model internal error");
        if (!response.headersSent)
          sendJson(response, failure.status, errorBody(failure.type, failure.message, requestId), requestId);
        else response.destroy();
        return failure.status;
      })
      .then((status) => options.log?.(`${request.method} ${request.url} → ${status}`));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get queued() {
      return queue.length;
    },
    enqueue(...replies) {
      queue.push(...replies.map(parseReply));
    },
    waitForRequest(predicate = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.find(predicate);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching request reached the scripted model within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => void check();
        if (!check()) waiters.add(wake);
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

const doneReply: Reply = { kind: "text", text: "Done." };
