/**
 * A session's event stream over WebSocket (/api/v1/sessions/:id/stream?after=<cursor>), kept
 * alive across dropped connections: the cursor is the last seq handed to the caller, every
 * (re)connect asks for what comes after it, duplicates are skipped and a gap forces a resume, so
 * each event is delivered exactly once and in order. Reconnects wait the protocol's equal-jitter
 * backoff; a socket that stays silent past two pings counts as dropped.
 */
import { backoffDelay, type ErrorCode, ServerFrame, type StoredEvent } from "@nightshift/protocol";
import { ApiError } from "./errors.ts";
import type { Transport } from "./http.ts";

export type StreamState = "connecting" | "live" | "reconnecting";

export interface StreamOptions {
  /** Deliver events after this seq (0: from the start). */
  from?: number;
  /** Called once per event in seq order; return "stop" to end the stream. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback that never stops returns nothing at all.
  onEvent(event: StoredEvent): void | "stop";
  /** The backlog up to `lastSeq` has been delivered (once per connection). */
  onReplayDone?(lastSeq: number): void;
  onState?(state: StreamState): void;
  /** The server sent an error frame (the stream goes on). */
  onServerError?(code: ErrorCode, message: string): void;
  signal?: AbortSignal;
  backoff?: { baseMs?: number; capMs?: number; random?: () => number };
  /** Give up (rejecting with the last failure) after this many connection attempts in a row fail. */
  maxConsecutiveFailures?: number;
  pingEveryMs?: number;
  connectTimeoutMs?: number;
}

export interface StreamDeps {
  transport: Transport;
  url(after: number): string;
  /** Asks over HTTP why a socket would not open; throws the ApiError that explains it. */
  diagnose(signal?: AbortSignal): Promise<void>;
  webSocket: typeof WebSocket;
}

type Outcome = "stopped" | "aborted" | { opened: boolean };

const DEFAULTS = { baseMs: 250, capMs: 10_000, pingEveryMs: 15_000, connectTimeoutMs: 10_000 };

/** Node's WebSocket takes headers in its second argument; a browser's sends its cookies by itself. */
function openSocket(Socket: typeof WebSocket, url: string, headers: Record<string, string>): WebSocket {
  if (Object.keys(headers).length === 0) return new Socket(url);
  const WithHeaders = Socket as unknown as new (
    url: string,
    init: { headers: Record<string, string> },
  ) => WebSocket;
  return new WithHeaders(url, { headers });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Transient: the network, the server's own failures, rate limits. Anything else will not heal. */
function isFatal(error: unknown): boolean {
  return error instanceof ApiError && error.status < 500 && error.status !== 429;
}

export async function streamEvents(deps: StreamDeps, options: StreamOptions): Promise<void> {
  let cursor = options.from ?? 0;
  let failures = 0;
  const baseMs = options.backoff?.baseMs ?? DEFAULTS.baseMs;
  const capMs = options.backoff?.capMs ?? DEFAULTS.capMs;
  const maxFailures = options.maxConsecutiveFailures ?? Number.POSITIVE_INFINITY;

  const connectOnce = (): Promise<Outcome> =>
    new Promise((resolve) => {
      const socket = openSocket(deps.webSocket, deps.url(cursor), deps.transport.headers);
      const pingEveryMs = options.pingEveryMs ?? DEFAULTS.pingEveryMs;
      let opened = false;
      let settled = false;
      let lastFrameAt = Date.now();
      let pinger: ReturnType<typeof setInterval> | undefined;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearInterval(pinger);
        options.signal?.removeEventListener("abort", onAbort);
        socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
        try {
          socket.close(1000, "done");
        } catch {
          // Already closing or never opened: nothing to release.
        }
        resolve(outcome);
      };
      const onAbort = () => finish("aborted");
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const connectTimer = setTimeout(
        () => finish({ opened: false }),
        options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      );
      socket.onopen = () => {
        opened = true;
        clearTimeout(connectTimer);
        lastFrameAt = Date.now();
        options.onState?.("live");
        pinger = setInterval(() => {
          if (Date.now() - lastFrameAt > 2 * pingEveryMs) finish({ opened });
          else socket.send(JSON.stringify({ v: 1, type: "ping" }));
        }, pingEveryMs);
      };
      socket.onmessage = (message: MessageEvent) => {
        lastFrameAt = Date.now();
        if (typeof message.data !== "string") return;
        let raw: unknown;
        try {
          raw = JSON.parse(message.data);
        } catch {
          return; // not a frame of this protocol; the next one may be
        }
        const parsed = ServerFrame.safeParse(raw);
        if (!parsed.success) return;
        const frame = parsed.data;
        if (frame.type === "events") {
          for (const event of frame.events) {
            if (event.seq <= cursor) continue;
            // Something between here and the log lost an event: ask again from what we have.
            if (event.seq !== cursor + 1) return finish({ opened });
            cursor = event.seq;
            if (options.onEvent(event) === "stop") return finish("stopped");
          }
        } else if (frame.type === "replay.done") {
          options.onReplayDone?.(frame.lastSeq);
        } else if (frame.type === "error") {
          options.onServerError?.(frame.code, frame.message);
        }
      };
      socket.onclose = () => finish({ opened });
      socket.onerror = () => finish({ opened });
    });

  options.onState?.("connecting");
  while (!options.signal?.aborted) {
    const outcome = await connectOnce();
    if (outcome === "stopped" || outcome === "aborted") return;
    if (outcome.opened) {
      failures = 0;
    } else {
      failures++;
      let lastError: unknown = new Error("the stream would not open");
      try {
        await deps.diagnose(options.signal);
      } catch (error) {
        if (isFatal(error)) throw error;
        lastError = error;
      }
      if (failures >= maxFailures) throw lastError;
    }
    options.onState?.("reconnecting");
    const attempt = Math.max(0, failures - 1);
    await sleep(
      backoffDelay({ attempt, baseMs, capMs, jitter: "equal", random: options.backoff?.random }),
      options.signal,
    );
  }
}
