/**
 * SessionStream owns one watcher's WebSocket to /api/v1/sessions/:id/stream. It keeps a cursor
 * (the last seq delivered), so a dropped connection resumes with `?after=<cursor>` and the caller
 * sees every event exactly once, in order: duplicates are dropped and a gap forces a resume.
 * Reconnects back off exponentially with jitter; a silent socket is detected with pings.
 */
import {
  backoffDelay,
  ClientCloseCode,
  type Participant,
  parseFrame,
  ServerFrame,
  type StoredEvent,
} from "@nightshift/protocol";
import { tenantPath } from "../api/http-client";

export type ConnectionState = "connecting" | "replaying" | "live" | "reconnecting" | "closed";

export interface StreamHandlers {
  /** New events only, contiguous and in seq order. */
  onEvents(events: StoredEvent[]): void;
  onReplayDone?(lastSeq: number): void;
  onPresence?(you: string, participants: Participant[]): void;
  onState?(state: ConnectionState): void;
  onServerError?(code: string, message: string): void;
}

export interface StreamOptions {
  sessionId: string;
  /** Display name shown to the other watchers. */
  name?: string;
  /** The tenant the session belongs to (in the path: a WebSocket cannot send the tenant header). */
  tenantId?: string | null;
  /** Resume after this seq (0: from the start). */
  after?: number;
  /** Where the Worker is; defaults to the page's own origin. */
  origin?: string;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  pingEveryMs?: number;
  random?: () => number;
  createSocket?: (url: string) => WebSocket;
}

const SERVER_FRAME_TYPES = ["events", "replay.done", "presence", "pong", "error"] as const;

export function streamUrl(
  origin: string,
  sessionId: string,
  after: number,
  name?: string,
  tenantId?: string | null,
): string {
  const url = new URL(
    tenantPath(`/sessions/${encodeURIComponent(sessionId)}/stream`, tenantId ?? null),
    origin,
  );
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("after", String(after));
  if (name) url.searchParams.set("name", name.slice(0, 80));
  return url.toString();
}

export class SessionStream {
  private socket: WebSocket | null = null;
  private cursor: number;
  private attempt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private typing = false;
  private readonly opts: Required<Omit<StreamOptions, "name" | "after" | "tenantId">> & {
    name?: string;
    tenantId: string | null;
  };

  constructor(
    options: StreamOptions,
    private readonly handlers: StreamHandlers,
  ) {
    this.cursor = options.after ?? 0;
    this.opts = {
      sessionId: options.sessionId,
      tenantId: options.tenantId ?? null,
      origin: options.origin ?? globalThis.location?.origin ?? "http://127.0.0.1",
      backoffMinMs: options.backoffMinMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 15_000,
      pingEveryMs: options.pingEveryMs ?? 20_000,
      random: options.random ?? Math.random,
      createSocket: options.createSocket ?? ((url) => new WebSocket(url)),
      ...(options.name ? { name: options.name } : {}),
    };
  }

  /** The seq of the last event handed to onEvents. */
  get lastSeq(): number {
    return this.cursor;
  }

  start(): void {
    this.stopped = false;
    this.open("connecting");
  }

  close(): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s && s.readyState <= 1) s.close(ClientCloseCode.normal, "watcher left");
    this.handlers.onState?.("closed");
  }

  /** Tells the other watchers whether this one is typing a follow-up. */
  setTyping(typing: boolean): void {
    if (typing === this.typing) return;
    this.typing = typing;
    this.send({ v: 1, type: "typing", typing });
  }

  private send(frame: object): void {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  private open(state: ConnectionState): void {
    this.handlers.onState?.(state);
    const url = streamUrl(
      this.opts.origin,
      this.opts.sessionId,
      this.cursor,
      this.opts.name,
      this.opts.tenantId,
    );
    let socket: WebSocket;
    try {
      socket = this.opts.createSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      this.handlers.onState?.("replaying");
      if (this.typing) this.send({ v: 1, type: "typing", typing: true });
      this.startPings();
    };
    socket.onmessage = (msg: MessageEvent) => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      this.onFrame(typeof msg.data === "string" ? msg.data : "");
    };
    // Every code the Worker closes with (ClientCloseCode, 1013 after a frame it could not
    // deliver) and every drop means "resume from the cursor": none of them is final.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.stopped) return;
      this.scheduleReconnect();
    };
    // An error is always followed by close; reconnecting happens there.
    socket.onerror = () => {};
  }

  private onFrame(raw: string): void {
    const parsed = parseFrame(ServerFrame, raw, SERVER_FRAME_TYPES);
    if (!parsed.ok) {
      this.handlers.onServerError?.(parsed.code, parsed.message);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case "events":
        this.acceptEvents(frame.events);
        return;
      case "replay.done":
        this.attempt = 0;
        this.handlers.onState?.("live");
        this.handlers.onReplayDone?.(frame.lastSeq);
        return;
      case "presence":
        this.handlers.onPresence?.(frame.you, frame.participants);
        return;
      case "pong":
        return;
      case "error":
        this.handlers.onServerError?.(frame.code, frame.message);
        return;
    }
  }

  private acceptEvents(events: StoredEvent[]): void {
    const fresh: StoredEvent[] = [];
    for (const e of events) {
      if (e.seq <= this.cursor) continue; // already delivered (replay overlapping live)
      if (e.seq !== this.cursor + 1) {
        // Something between cursor and e.seq never arrived: resume from the cursor rather than
        // show events out of order or with a hole.
        if (fresh.length > 0) this.handlers.onEvents(fresh);
        this.resync();
        return;
      }
      fresh.push(e);
      this.cursor = e.seq;
    }
    if (fresh.length > 0) this.handlers.onEvents(fresh);
  }

  private resync(): void {
    const s = this.socket;
    this.socket = null;
    this.clearTimers();
    if (s && s.readyState <= 1) s.close(ClientCloseCode.normal, "resync");
    if (!this.stopped) this.open("reconnecting");
  }

  private scheduleReconnect(): void {
    this.handlers.onState?.("reconnecting");
    // Equal jitter, in [ceiling/2, ceiling): watchers that lost the same server do not return in
    // lockstep, yet none retries much sooner than planned.
    const delay = backoffDelay({
      attempt: this.attempt,
      baseMs: this.opts.backoffMinMs,
      capMs: this.opts.backoffMaxMs,
      jitter: "equal",
      random: this.opts.random,
    });
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open("reconnecting");
    }, delay);
  }

  private startPings(): void {
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > this.opts.pingEveryMs * 2) {
        // Two ping periods without a word: the connection is dead even if no close arrived.
        this.resync();
        return;
      }
      this.send({ v: 1, type: "ping" });
    }, this.opts.pingEveryMs);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }
}
