/**
 * SessionStream owns one watcher's WebSocket to /api/v1/sessions/:id/stream. It keeps a cursor
 * (the last seq delivered), so a dropped connection resumes with `?after=<cursor>` and the caller
 * sees every event exactly once, in order: duplicates are dropped and a gap forces a resume.
 * The reconnecting socket is partysocket's ReconnectingWebSocket: its URL is a provider, asked on
 * every (re)connect, so each attempt carries the cursor of that moment; the provider also waits the
 * project's equal-jitter backoff (partysocket's own delays are turned off: they have no jitter).
 * A silent socket is detected with pings.
 */
import {
  backoffDelay,
  ClientCloseCode,
  type Participant,
  parseFrame,
  ServerFrame,
  type StoredEvent,
} from "@nightshift/protocol";
import ReconnectingWebSocket from "partysocket/ws";
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
  /** How long an attempt may take to open before it counts as failed. */
  connectTimeoutMs?: number;
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
  private socket: ReconnectingWebSocket | null = null;
  private cursor: number;
  /** Connections lost since the last completed replay: the backoff's attempt number. */
  private failures = 0;
  /** The next connect is a deliberate resync: no backoff. */
  private resyncing = false;
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
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      ...(options.name ? { name: options.name } : {}),
    };
  }

  /** The seq of the last event handed to onEvents. */
  get lastSeq(): number {
    return this.cursor;
  }

  start(): void {
    if (this.socket) return;
    this.handlers.onState?.("connecting");
    const socket = new ReconnectingWebSocket(() => this.nextUrl(), undefined, {
      // The URL provider waits the backoff (with jitter); partysocket adds no delay of its own.
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: this.opts.connectTimeoutMs,
      maxEnqueuedMessages: 0,
    });
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      this.handlers.onState?.("replaying");
      if (this.typing) this.send({ v: 1, type: "typing", typing: true });
      this.startPings();
    };
    socket.onmessage = (msg: MessageEvent) => {
      this.lastHeard = Date.now();
      this.onFrame(typeof msg.data === "string" ? msg.data : "");
    };
    // Every code the Worker closes with (ClientCloseCode, 1013 after a frame it could not
    // deliver) and every drop means "resume from the cursor": none of them is final, and
    // partysocket reconnects after each.
    socket.onclose = () => {
      this.stopPings();
      if (this.socket !== socket) return;
      if (!this.resyncing) this.failures += 1;
      this.handlers.onState?.("reconnecting");
    };
  }

  close(): void {
    const s = this.socket;
    this.socket = null;
    this.stopPings();
    s?.close(ClientCloseCode.normal, "watcher left");
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

  /**
   * Asked by partysocket before every attempt: waits the backoff after a lost connection (not
   * after a deliberate resync), then resumes after the last event delivered.
   */
  private async nextUrl(): Promise<string> {
    const failures = this.resyncing ? 0 : this.failures;
    this.resyncing = false;
    if (failures > 0) {
      // Equal jitter, in [ceiling/2, ceiling): watchers that lost the same server do not return
      // in lockstep, yet none retries much sooner than planned.
      const delay = backoffDelay({
        attempt: failures - 1,
        baseMs: this.opts.backoffMinMs,
        capMs: this.opts.backoffMaxMs,
        jitter: "equal",
        random: this.opts.random,
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return streamUrl(this.opts.origin, this.opts.sessionId, this.cursor, this.opts.name, this.opts.tenantId);
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
        this.failures = 0;
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

  /** Drops this connection and opens the next at once, resuming from the cursor. */
  private resync(): void {
    this.stopPings();
    this.resyncing = true;
    this.socket?.reconnect(ClientCloseCode.normal, "resync");
  }

  private startPings(): void {
    this.stopPings();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > this.opts.pingEveryMs * 2) {
        // Two ping periods without a word: the connection is dead even if no close arrived.
        this.resync();
        return;
      }
      this.send({ v: 1, type: "ping" });
    }, this.opts.pingEveryMs);
  }

  private stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
