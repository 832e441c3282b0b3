/**
 * The first page of a session's backlog over a plain `node:http(s)` GET of
 * /api/v1/sessions/:id/events, so `tail` can print before Node loads its built-in undici (the
 * `fetch`/`WebSocket` behind the stream costs ~85 ms of CPU to load; node:http is already in
 * Node's core). Anything but a clean page (an error status, a network failure, a body that does
 * not parse) is not an error here: the caller follows from where it was, over the stream, whose
 * own checks give a wrong key or id its message and exit code.
 */
import type * as Http from "node:http";
import type { IncomingMessage, RequestOptions } from "node:http";
import { createRequire } from "node:module";
import { EVENTS_PAGE_MAX, EventsPage } from "@nightshift/protocol";

/**
 * node:http(s) through require, not import: an ES import builds the module's ESM facade, which
 * reads every export, and node:http's `WebSocket`/`MessageEvent` exports are getters that load
 * undici (~65 ms of CPU), the very load this module exists to put after the first output.
 */
const requireBuiltin = createRequire(import.meta.url);

/** Small enough that the first page parses and prints at once; the stream replays the rest. */
export const FIRST_PAGE_LIMIT = 200;
const FIRST_PAGE_TIMEOUT_MS = 5_000;
const MAX_PAGE_BYTES = 8 * 1024 * 1024;
const SESSION_ID = /^[0-9a-z]{26}$/;

export interface FirstPageRequest {
  /** The control plane's origin (http or https). */
  baseUrl: string;
  /** The same credentials the stream's upgrade carries. */
  headers: Record<string, string>;
  sessionId: string;
  after: number;
  limit?: number;
  signal?: AbortSignal;
}

function pageUrl(request: FirstPageRequest): URL | undefined {
  if (!SESSION_ID.test(request.sessionId)) return undefined;
  let url: URL;
  try {
    url = new URL(`${request.baseUrl.replace(/\/+$/, "")}/api/v1/sessions/${request.sessionId}/events`);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  url.searchParams.set("after", String(request.after));
  url.searchParams.set("limit", String(Math.min(request.limit ?? FIRST_PAGE_LIMIT, EVENTS_PAGE_MAX)));
  return url;
}

/** Reads the body of a 200 as text, bounded; undefined for any other answer. */
function readBody(res: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (res.statusCode !== 200) {
      res.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAGE_BYTES) {
        res.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", () => resolve(undefined));
    res.on("aborted", () => resolve(undefined));
  });
}

/**
 * The events after `after` (at most `limit`), or undefined when the page could not be had; the
 * caller then follows from `after` over the stream as before.
 */
export async function readFirstPage(request: FirstPageRequest): Promise<EventsPage | undefined> {
  const url = pageUrl(request);
  if (!url || request.signal?.aborted) return undefined;
  const { request: send } = requireBuiltin(url.protocol === "https:" ? "node:https" : "node:http") as Pick<
    typeof Http,
    "request"
  >;
  const options: RequestOptions = {
    method: "GET",
    headers: { accept: "application/json", ...request.headers },
    timeout: FIRST_PAGE_TIMEOUT_MS,
    // One request on a connection of its own: no idle keep-alive socket outlives it.
    agent: false,
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const body = await new Promise<string | undefined>((resolve) => {
    const req = send(url, options, (res) => {
      readBody(res).then(resolve);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
  if (body === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = EventsPage.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
