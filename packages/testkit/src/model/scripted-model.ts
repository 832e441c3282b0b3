/**
 * The scripted model server: a double of the model APIs on 127.0.0.1 for tests and the keyless
 * demo — Anthropic Messages in full, plus OpenAI Chat Completions, OpenAI Responses and Gemini
 * (see wire-formats.ts). Tests enqueue replies (one per model call, in order) and read back every
 * request received; when the queue is empty it answers "Done." — or, with autopilot on, drives
 * a small deterministic turn (see autopilot.ts).
 *
 * Served: each format's model call (streaming SSE or JSON), Anthropic's
 * `POST /v1/messages/count_tokens` and `GET /v1/models`, and 200 to any `HEAD` (Claude Code's
 * connectivity probe). Errors use each API's error body and real status codes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { type AutopilotOptions, autopilotReply } from "./autopilot";
import { flattenHeaders, HttpFailure, presentedKey, readBody, sameSecret } from "./http-exchange";
import { formatSse, type PlannedBlock, type PlannedMessage } from "./planned-message";
import { parseReply, type Reply, type ReplyInput } from "./replies";
import { estimateInputTokens } from "./token-estimate";
import { anthropicWire, InvalidModelRequest, type WireFormat, type WireRoute, wireFor } from "./wire-formats";

export const ScriptedModelOptions = z.object({
  /** 0 (the default) picks a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** When set, requests with another key (however their API sends it) get 401. */
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
  /** Drops the replies still queued (a test that stopped a turn early); returns how many. */
  clearQueue(): number;
  /** Resolves with the first recorded request (past or future) matching `predicate`. */
  waitForRequest(
    predicate?: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startScriptedModel(input: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const parsed = ScriptedModelOptions.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`);
    throw new TypeError(`invalid scripted model options: ${issues.join("; ")}`);
  }
  const options = parsed.data;
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

  const plan = (
    reply: Exclude<Reply, { kind: "error" }>,
    wire: WireFormat,
    model: string,
    bodyBytes: number,
  ) => {
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
    const message: PlannedMessage = {
      id: nextId(wire.messageIdPrefix),
      model,
      inputTokens: estimateInputTokens(bodyBytes),
      blocks,
    };
    return message;
  };

  /** One model call: the next queued reply (or the default), rendered in the request's format. */
  const answerModelCall = async (
    wire: WireFormat,
    route: WireRoute,
    body: unknown,
    bodyBytes: number,
    response: ServerResponse,
    requestId: string,
  ): Promise<number> => {
    let conversation: ReturnType<WireFormat["conversation"]>;
    try {
      conversation = wire.conversation(body, route);
    } catch (error) {
      if (error instanceof InvalidModelRequest) throw new HttpFailure(400, error.message);
      throw error;
    }
    const reply: Reply =
      queue.shift() ?? (options.autopilot ? autopilotReply(conversation, autopilot) : doneReply);
    await pause(reply.delayMs ?? 0, response);
    if (response.destroyed) return 499;
    if (reply.kind === "error") {
      const headers: Record<string, string> = { "content-type": "application/json", "request-id": requestId };
      if (reply.status === 429) headers["retry-after"] = "1";
      if (reply.status >= 500) headers["x-should-retry"] = "true";
      response.writeHead(reply.status, headers);
      response.end(JSON.stringify(wire.errorBody(reply.status, reply.type, reply.message, requestId)));
      return reply.status;
    }
    const message = plan(reply, wire, conversation.model, bodyBytes);
    if (!conversation.stream) {
      sendJson(response, 200, wire.body(message, conversation), requestId);
      return 200;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "request-id": requestId,
    });
    for (const frame of wire.streamFrames(message, conversation)) {
      if (response.destroyed) return 499;
      response.write(formatSse(frame));
      await pause(frame.pauseMs ?? 0, response);
    }
    response.end();
    return 200;
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    wire: WireFormat | undefined,
    route: WireRoute | undefined,
  ): Promise<number> => {
    const method = request.method ?? "";
    const headers = flattenHeaders(request);
    const path = request.url ?? "/";
    const url = new URL(path, "http://scripted.invalid");
    const record = (body: unknown) => {
      requests.push({ method, path, headers, body });
      for (const wake of waiters) wake();
    };
    let raw: Buffer = Buffer.alloc(0);
    if (method !== "HEAD" && method !== "GET") {
      try {
        raw = await readBody(request, options.maxBodyBytes);
      } catch (error) {
        record(undefined);
        throw error;
      }
    }
    let body: unknown;
    let bodyIsJson = raw.length > 0;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      bodyIsJson = false;
    }
    record(body);

    if (method === "HEAD") {
      response.writeHead(200).end();
      return 200;
    }
    if (options.apiKey) {
      const key = presentedKey(headers, url);
      if (!key || !sameSecret(key, options.apiKey)) throw new HttpFailure(401, "invalid x-api-key");
    }
    if (wire && route) {
      if (!bodyIsJson) throw new HttpFailure(400, "request body is not valid JSON");
      return answerModelCall(wire, route, body, raw.length, response, requestId);
    }
    if (method === "POST" && url.pathname === "/v1/messages/count_tokens") {
      if (!bodyIsJson) throw new HttpFailure(400, "request body is not valid JSON");
      anthropicWire.conversation(body, {});
      sendJson(response, 200, { input_tokens: estimateInputTokens(raw.length) }, requestId);
      return 200;
    }
    if (method === "GET" && url.pathname === "/v1/models") {
      const model = {
        type: "model",
        id: "claude-sonnet-4-5",
        display_name: "Scripted",
        created_at: "2025-01-01T00:00:00Z",
      };
      sendJson(
        response,
        200,
        { data: [model], has_more: false, first_id: model.id, last_id: model.id },
        requestId,
      );
      return 200;
    }
    throw new HttpFailure(404, `${method} ${url.pathname} is not served by the scripted model`);
  };

  const server = createServer((request, response) => {
    const requestId = nextId("req");
    const pathname = new URL(request.url ?? "/", "http://scripted.invalid").pathname;
    const matched = wireFor(request.method ?? "", pathname);
    // Errors are written in the format of the API the path belongs to (Anthropic's otherwise).
    const errorWire = matched?.wire ?? anthropicWire;
    handle(request, response, requestId, matched?.wire, matched?.route)
      .catch((error: unknown) => {
        const failure =
          error instanceof HttpFailure ? error : new HttpFailure(500, "scripted model internal error");
        if (response.headersSent) {
          response.destroy();
        } else {
          const body = errorWire.errorBody(failure.status, failure.type, failure.message, requestId);
          sendJson(response, failure.status, body, requestId);
        }
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
    clearQueue() {
      return queue.splice(0).length;
    },
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
