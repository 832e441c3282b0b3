/**
 * ClientHub owns the watchers' sockets of one session: hibernatable accept with a typed
 * attachment, cursor replay paged from SQLite, live fan-out coalesced into batches, presence.
 * Every events frame is bounded by bytes (PAGE_MAX_BYTES). A frame that cannot be sent closes
 * that socket with ClientCloseCode.resume, so the client reconnects from its cursor instead of
 * silently missing events.
 */
import {
  ClientCloseCode,
  ClientFrame,
  type ErrorCode,
  type Participant,
  parseFrame,
  type ServerFrame,
} from "@nightshift/protocol";
import { chunkByBytes, PAGE_MAX_BYTES } from "./event-pages";
import type { EventRow, SessionStore } from "./store";

export const CLIENT_TAG = "client";
const RESUME_CLOSE_REASON = "a frame could not be delivered; reconnect from your last event";
const REPLAY_PAGE = 500;
const CLIENT_FRAME_TYPES = ["ping", "typing"] as const;

export interface ClientAttachment {
  kind: "client";
  participantId: string;
  name: string;
  connectedAt: string;
  typing: boolean;
}

export interface HubOptions {
  /** Live events are coalesced for at most this long before one frame goes to every socket. */
  batchMs: number;
  now: () => number;
}

export function readClientAttachment(ws: WebSocket): ClientAttachment | null {
  const a = ws.deserializeAttachment() as Partial<ClientAttachment> | null;
  if (a?.kind !== "client" || typeof a.participantId !== "string" || typeof a.name !== "string") return null;
  return {
    kind: "client",
    participantId: a.participantId,
    name: a.name,
    connectedAt: typeof a.connectedAt === "string" ? a.connectedAt : new Date(0).toISOString(),
    typing: a.typing === true,
  };
}

function eventsFrame(rows: readonly EventRow[]): string {
  let body = "";
  for (const r of rows) {
    body += `${body ? "," : ""}{"seq":${r.seq},"at":${JSON.stringify(r.at)},"event":${r.data}}`;
  }
  return `{"v":1,"type":"events","events":[${body}]}`;
}

/** Sends a frame; on failure closes the socket so its client resumes from its cursor. False when it failed. */
function send(ws: WebSocket, frame: string): boolean {
  try {
    ws.send(frame);
    return true;
  } catch {
    try {
      ws.close(ClientCloseCode.resume, RESUME_CLOSE_REASON);
    } catch {
      // Already closed: the client sees the close and reconnects all the same.
    }
    return false;
  }
}

export class ClientHub {
  private pending: EventRow[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: Pick<SessionStore, "readAfter" | "headSeq">,
    private readonly options: HubOptions,
  ) {}

  /** Accepts a watcher, replays every event after `after`, then keeps it live. */
  connect(participant: { id: string; name: string }, after: number): Response {
    // Anything queued for live delivery is already in SQLite: deliver it to the existing
    // sockets now, so the new socket's replay and the live stream never overlap.
    this.flush();
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [CLIENT_TAG]);
    const attachment: ClientAttachment = {
      kind: "client",
      participantId: participant.id,
      name: participant.name,
      connectedAt: new Date(this.options.now()).toISOString(),
      typing: false,
    };
    server.serializeAttachment(attachment);
    if (this.replay(server, after)) {
      this.sendFrame(server, { v: 1, type: "replay.done", lastSeq: this.store.headSeq });
    }
    this.broadcastPresence();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Queues freshly appended events for every watcher. */
  publish(rows: readonly EventRow[]): void {
    if (rows.length === 0) return;
    this.pending.push(...rows);
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.options.batchMs - this.options.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const frames = chunkByBytes(this.pending).map(eventsFrame);
    this.pending = [];
    this.lastFlush = this.options.now();
    for (const ws of this.ctx.getWebSockets(CLIENT_TAG)) {
      // After a failed frame the socket is closed: later frames would leave a gap.
      for (const frame of frames) if (!send(ws, frame)) break;
    }
  }

  /** Sends every event after `after` in frames of at most PAGE_MAX_BYTES; false if a send failed. */
  private replay(ws: WebSocket, after: number): boolean {
    const head = this.store.headSeq;
    let cursor = after;
    while (cursor < head) {
      const page = this.store.readAfter(cursor, REPLAY_PAGE, PAGE_MAX_BYTES);
      if (page.length === 0) break;
      if (!send(ws, eventsFrame(page))) return false;
      cursor = page[page.length - 1]!.seq;
    }
    return true;
  }

  onMessage(ws: WebSocket, raw: string | ArrayBuffer): void {
    const parsed = parseFrame(ClientFrame, raw, CLIENT_FRAME_TYPES);
    if (!parsed.ok) {
      this.sendError(ws, parsed.code, parsed.message);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case "ping":
        this.sendFrame(ws, { v: 1, type: "pong", ...(frame.nonce ? { nonce: frame.nonce } : {}) });
        return;
      case "typing": {
        const a = readClientAttachment(ws);
        if (!a || a.typing === frame.typing) return;
        ws.serializeAttachment({ ...a, typing: frame.typing });
        this.broadcastPresence();
        return;
      }
    }
  }

  onClose(ws: WebSocket): void {
    try {
      ws.close(ClientCloseCode.normal, "bye");
    } catch {
      // already closed
    }
    this.broadcastPresence(ws);
  }

  participants(except?: WebSocket): Participant[] {
    const seen = new Map<string, Participant>();
    for (const ws of this.ctx.getWebSockets(CLIENT_TAG)) {
      if (ws === except || ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING)
        continue;
      const a = readClientAttachment(ws);
      if (!a) continue;
      const prior = seen.get(a.participantId);
      seen.set(a.participantId, {
        id: a.participantId,
        name: a.name,
        typing: a.typing || (prior?.typing ?? false),
        connectedAt: prior && prior.connectedAt < a.connectedAt ? prior.connectedAt : a.connectedAt,
      });
    }
    return [...seen.values()];
  }

  sendError(ws: WebSocket, code: ErrorCode, message: string): void {
    this.sendFrame(ws, { v: 1, type: "error", code, message });
  }

  private broadcastPresence(except?: WebSocket): void {
    const participants = this.participants(except);
    for (const ws of this.ctx.getWebSockets(CLIENT_TAG)) {
      if (ws === except) continue;
      const a = readClientAttachment(ws);
      if (a) this.sendFrame(ws, { v: 1, type: "presence", you: a.participantId, participants });
    }
  }

  private sendFrame(ws: WebSocket, frame: ServerFrame): void {
    send(ws, JSON.stringify(frame));
  }
}
