/**
 * SandboxBridge owns the sandbox's socket: incarnation check, hello/welcome, seq dedupe,
 * acks, and sending control frames. Runtime events are deduplicated by their sandbox seq:
 * the highest stored one is kept in the same SQLite write as the events themselves, so an
 * event is either stored and acked once, or resent by the runtime after a reconnect.
 */
import {
  type AgentEvent,
  BridgeCloseCode,
  type ControlFrame,
  parseFrame,
  RuntimeFrame,
  TERMINAL_STATUSES,
  type WorkspaceReport,
} from "@nightshift/protocol";
import { isRenewalDue, issueSandboxToken, SANDBOX_TOKEN_TTL_SECONDS } from "../sandbox-auth/token";
import { INTERNAL_TOKEN_ID_HEADER, INTERNAL_TOKEN_ISSUED_HEADER } from "./internal-headers";
import type { MetaStore } from "./meta-store";
import type { SessionMeta } from "./store";

export const SANDBOX_TAG = "sandbox";
const RUNTIME_FRAME_TYPES = ["hello", "events", "heartbeat", "ready"] as const;

export interface SandboxAttachment {
  kind: "sandbox";
  incarnationHash: string;
  /**
   * The live token's jti and issue time (seconds), for renewing it on this socket. Kept with the
   * socket (it survives hibernation) and never in the session's SQL storage.
   */
  token?: { jti: string; issuedAt: number };
}

/** The token a sandbox connected with, as the Worker verified it. */
export interface PresentedToken {
  jti: string;
  issuedAt: number;
}

export interface TokenRenewal {
  /** A fresh token for this jti, or null when the session no longer renews (it ended, or no secret). */
  mint(jti: string): Promise<{ token: string; issuedAt: number; expiresAt: number } | null>;
  now(): number;
}

export interface BridgeHandlers {
  /** Runtime events that are new (never seen before), in order. Returns nothing; may publish. */
  onEvents(events: AgentEvent[]): void;
  /** The runtime is ready for a prompt; `workspace`: how its workspace started (warm starts, prebuilds). */
  onReady(workspace: WorkspaceReport | null): void;
  onAlive(): void;
}

/** Reads the token the Worker verified from its internal headers; absent when it sent none. */
export function presentedToken(headers: Headers): PresentedToken | undefined {
  const jti = headers.get(INTERNAL_TOKEN_ID_HEADER);
  const issuedAt = Number(headers.get(INTERNAL_TOKEN_ISSUED_HEADER));
  return jti && Number.isInteger(issuedAt) && issuedAt > 0 ? { jti, issuedAt } : undefined;
}

/** Renewal for a session's sandbox tokens: only while the session is open and a secret is set. */
export function tokenRenewal(
  secret: string | undefined,
  meta: () => SessionMeta | null,
  now: () => number,
): TokenRenewal {
  return {
    now,
    async mint(jti) {
      const current = meta();
      if (!secret || !current || TERMINAL_STATUSES.has(current.status)) return null;
      return issueSandboxToken(
        secret,
        { sessionId: current.sessionId, tenantId: current.tenantId, jti },
        SANDBOX_TOKEN_TTL_SECONDS,
        now(),
      );
    },
  };
}

export function readSandboxAttachment(ws: WebSocket): SandboxAttachment | null {
  const a = ws.deserializeAttachment() as Partial<SandboxAttachment> | null;
  if (a?.kind !== "sandbox" || typeof a.incarnationHash !== "string") return null;
  const token =
    typeof a.token?.jti === "string" && typeof a.token.issuedAt === "number" ? a.token : undefined;
  return { kind: "sandbox", incarnationHash: a.incarnationHash, ...(token ? { token } : {}) };
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

export class SandboxBridge {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly meta: MetaStore,
    private readonly handlers: BridgeHandlers,
    private readonly renewal?: TokenRenewal,
  ) {}

  /** Starts a new incarnation: from now on only a token with this jti may connect. */
  beginIncarnation(incarnationHash: string): void {
    this.meta.set("bridge.incarnation_hash", incarnationHash);
    this.meta.set("bridge.acked_seq", 0);
    for (const ws of this.sockets())
      closeQuietly(ws, BridgeCloseCode.superseded, "a newer sandbox took over");
  }

  /** Forgets the incarnation: every sandbox socket is closed and none may connect again. */
  endIncarnation(code: number, reason: string): void {
    this.meta.delete("bridge.incarnation_hash");
    for (const ws of this.sockets()) closeQuietly(ws, code, reason);
  }

  isCurrentIncarnation(incarnationHash: string): boolean {
    return incarnationHash.length > 0 && this.meta.get("bridge.incarnation_hash") === incarnationHash;
  }

  get ackedSeq(): number {
    return this.meta.get("bridge.acked_seq") ?? 0;
  }

  isConnected(): boolean {
    return this.sockets().length > 0;
  }

  /** Accepts a sandbox socket; superseded or unknown incarnations are accepted only to be closed with a code. */
  connect(incarnationHash: string, sessionOpen: boolean, token?: PresentedToken): Response {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const current = this.meta.get("bridge.incarnation_hash");
    if (!sessionOpen) {
      server.accept();
      closeQuietly(server, BridgeCloseCode.sessionEnded, "the session has ended");
    } else if (current !== incarnationHash) {
      server.accept();
      closeQuietly(server, BridgeCloseCode.superseded, "this sandbox incarnation was superseded");
    } else {
      // One live socket per incarnation: a reconnect replaces the old one.
      for (const ws of this.sockets()) closeQuietly(ws, 1000, "replaced by a newer connection");
      this.ctx.acceptWebSocket(server, [SANDBOX_TAG]);
      server.serializeAttachment({
        kind: "sandbox",
        incarnationHash,
        ...(token ? { token } : {}),
      } satisfies SandboxAttachment);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  onMessage(ws: WebSocket, raw: string | ArrayBuffer): void {
    const attachment = readSandboxAttachment(ws);
    if (!attachment || attachment.incarnationHash !== this.meta.get("bridge.incarnation_hash")) {
      closeQuietly(ws, BridgeCloseCode.superseded, "this sandbox incarnation was superseded");
      return;
    }
    const parsed = parseFrame(RuntimeFrame, raw, RUNTIME_FRAME_TYPES);
    if (!parsed.ok) {
      this.sendTo(ws, { v: 1, type: "error", code: parsed.code, message: parsed.message });
      return;
    }
    this.handlers.onAlive();
    const frame = parsed.frame;
    switch (frame.type) {
      case "hello":
        this.sendTo(ws, { v: 1, type: "welcome", ackedSeq: this.ackedSeq });
        return;
      case "heartbeat":
        return;
      case "ready":
        this.handlers.onReady(frame.workspace ?? null);
        return;
      case "events": {
        let acked = this.ackedSeq;
        const fresh: AgentEvent[] = [];
        for (const { seq, event } of frame.events) {
          if (seq <= acked) continue; // a resend of something already stored
          if (seq !== acked + 1) break; // a gap: stop here; the runtime resends from our ack
          fresh.push(event);
          acked = seq;
        }
        if (fresh.length > 0) {
          this.meta.set("bridge.acked_seq", acked);
          this.handlers.onEvents(fresh);
        }
        this.sendTo(ws, { v: 1, type: "ack", seq: acked });
        return;
      }
    }
  }

  /**
   * Called after each frame from the sandbox: once its token is past half-life, sends a renewed one
   * (same jti, so the incarnation is unchanged) and remembers its issue time on the socket.
   */
  async renewTokenIfDue(ws: WebSocket): Promise<void> {
    const attachment = readSandboxAttachment(ws);
    if (!this.renewal || !attachment?.token) return;
    // The clock first: on almost every frame the token is young and storage need not be read.
    if (!isRenewalDue(attachment.token.issuedAt, this.renewal.now())) return;
    if (attachment.incarnationHash !== this.meta.get("bridge.incarnation_hash")) return;
    const minted = await this.renewal.mint(attachment.token.jti);
    if (!minted || ws.readyState !== WebSocket.OPEN) return;
    ws.serializeAttachment({
      ...attachment,
      token: { jti: attachment.token.jti, issuedAt: minted.issuedAt },
    } satisfies SandboxAttachment);
    this.sendTo(ws, {
      v: 1,
      type: "token",
      token: minted.token,
      expiresAt: new Date(minted.expiresAt * 1000).toISOString(),
    });
  }

  /** Sends to the live sandbox socket; false when none is connected. */
  send(frame: ControlFrame): boolean {
    const [ws] = this.sockets();
    if (!ws) return false;
    return this.sendTo(ws, frame);
  }

  private sendTo(ws: WebSocket, frame: ControlFrame): boolean {
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private sockets(): WebSocket[] {
    return this.ctx
      .getWebSockets(SANDBOX_TAG)
      .filter((ws) => ws.readyState !== WebSocket.CLOSED && ws.readyState !== WebSocket.CLOSING);
  }
}
