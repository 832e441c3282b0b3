/**
 * The bridge client: the runtime's one outbound WebSocket to the control plane. It says hello,
 * resends every buffered event after the control plane's `welcome.ackedSeq` in order, streams
 * new events as they are buffered, trims the buffer on `ack`, sends heartbeats, and reconnects
 * with capped, jittered backoff after any drop. Close codes that mean "never come back" end it.
 * Control frames other than welcome/ack are validated and handed to `onControl`.
 */
import {
  BridgeCloseCode,
  ControlFrame,
  PROTOCOL_VERSION,
  parseFrame,
  type RuntimeFrame,
  type WorkspaceReport,
} from "@nightshift/protocol";
import WebSocket from "ws";
import type { EventBuffer } from "../buffer/event-buffer";
import type { Logger } from "../log";
import { Backoff } from "./backoff";
import { type FinalOutcome, finalOutcomeOfClose, finalOutcomeOfHttpStatus } from "./close-codes";
import type { SandboxToken } from "./sandbox-token";

export { SandboxToken } from "./sandbox-token";

export type InboundControl = Exclude<ControlFrame, { type: "welcome" } | { type: "ack" } | { type: "token" }>;

export interface BridgeClientOptions {
  /** The control plane's base URL (http or https); the socket goes to <url>/sandbox/connect. */
  controlPlaneUrl: string;
  /** The sandbox token; renewed in place by `token` frames and read afresh for every connect. */
  token: SandboxToken;
  runtimeVersion: string;
  buffer: Pick<EventBuffer, "readAfter" | "ack" | "advanceTo" | "lastSeq" | "ackedSeq">;
  onControl(frame: InboundControl): void;
  /** The control plane said never to come back; the client has stopped. */
  onFinal(outcome: FinalOutcome): void;
  log: Logger;
  heartbeatMs?: number;
  backoff?: { baseMs: number; capMs: number; random?: () => number };
  /** How long to wait for `welcome` after the socket opens before trying again. */
  welcomeTimeoutMs?: number;
  /** A peer that answered pings once and then stays silent this long is treated as gone. */
  silenceTimeoutMs?: number;
  maxFrameEvents?: number;
  maxFrameBytes?: number;
}

const CONTROL_TYPES = ["welcome", "ack", "prompt", "cancel", "shutdown", "error", "token"] as const;
/** Frames written to the socket but not yet flushed to the OS; more wait until one is flushed. */
const MAX_UNFLUSHED_FRAMES = 4;

export function bridgeUrl(controlPlaneUrl: string): string {
  const url = new URL(controlPlaneUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/sandbox/connect`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

export class BridgeClient {
  private readonly options: Required<Omit<BridgeClientOptions, "backoff">> &
    Pick<BridgeClientOptions, "backoff">;
  private readonly backoff: Backoff;
  private socket: WebSocket | null = null;
  private welcomed = false;
  /** Highest seq written to the current socket. */
  private sentSeq = 0;
  private stopped = false;
  private idle = false;
  /** `ready` waits until everything buffered before it has been sent, so it never overtakes a turn.end. */
  private readyAfterSeq: number | null = null;
  private pumpScheduled = false;
  /** How the workspace was prepared, told with every `ready` (warm starts and prebuilds). */
  private workspace: WorkspaceReport | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private welcomeTimer: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  private peerPongs = false;
  private ackWaiters: Array<() => void> = [];
  private connections = 0;
  private unflushed = 0;

  constructor(options: BridgeClientOptions) {
    this.options = {
      heartbeatMs: 15_000,
      welcomeTimeoutMs: 10_000,
      silenceTimeoutMs: 45_000,
      maxFrameEvents: 500,
      maxFrameBytes: 900_000,
      ...options,
    };
    this.backoff = new Backoff(options.backoff ?? { baseMs: 250, capMs: 10_000 });
  }

  /** Number of sockets opened so far (tests and diagnostics). */
  get connectionCount(): number {
    return this.connections;
  }

  get isConnected(): boolean {
    return this.welcomed;
  }

  start(): void {
    this.connect();
  }

  /** New events are in the buffer: send them soon (coalesced into one frame per tick). */
  notify(): void {
    if (this.pumpScheduled || !this.welcomed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Idle means "ready for a prompt": the control plane is told so after every reconnect, and now
   * when `announce` is set (after the events buffered so far, so `ready` never overtakes them).
   */
  setIdle(idle: boolean, announce = true): void {
    this.idle = idle;
    if (!idle) this.readyAfterSeq = null;
    else if (announce) {
      this.readyAfterSeq = this.options.buffer.lastSeq;
      this.notify();
    }
  }

  /** Set once the workspace is prepared; every later `ready` frame carries it. */
  reportWorkspace(report: WorkspaceReport): void {
    this.workspace = report;
  }

  /** Resolves true once every buffered event is acked, false after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<boolean> {
    const done = () => this.options.buffer.ackedSeq >= this.options.buffer.lastSeq;
    if (done()) return true;
    this.notify();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ackWaiters = this.ackWaiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.ackWaiters = this.ackWaiters.filter((w) => w !== check);
        resolve(true);
      };
      this.ackWaiters.push(check);
    });
  }

  /**
   * Stops for good: no reconnects; the socket is closed normally. Resolves once the close handshake
   * is done (or after `handshakeMs`): a process that exits sooner drops the close frame, and the
   * control plane sees an abnormal close (1006) and keeps the sandbox for its whole grace period.
   */
  stop(reason = "runtime stopping", handshakeMs = 2_000): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (!socket || socket.readyState > WebSocket.OPEN) return Promise.resolve();
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, handshakeMs);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    socket.close(BridgeCloseCode.normal, reason);
    return closed;
  }

  private connect(): void {
    if (this.stopped) return;
    const url = bridgeUrl(this.options.controlPlaneUrl);
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.token.current()}` },
      handshakeTimeout: 10_000,
      maxPayload: 4 * 1024 * 1024,
    });
    this.socket = socket;
    this.connections += 1;
    this.welcomed = false;
    this.peerPongs = false;
    this.unflushed = 0;
    let ended = false;
    const end = (why: string, final: FinalOutcome | null) => {
      if (ended) return;
      ended = true;
      if (this.socket === socket) this.socket = null;
      this.welcomed = false;
      this.clearTimers();
      if (this.stopped) return;
      if (final) {
        this.stopped = true;
        this.options.log.error(final.message);
        this.options.onFinal(final);
        return;
      }
      const delay = this.backoff.next();
      this.options.log.warn(`bridge ${why}; reconnecting in ${delay} ms`);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    };

    socket.on("open", () => {
      this.lastHeard = Date.now();
      this.sendFrame(socket, {
        v: PROTOCOL_VERSION,
        type: "hello",
        runtimeVersion: this.options.runtimeVersion,
        lastSeq: this.options.buffer.lastSeq,
      });
      this.welcomeTimer = setTimeout(() => {
        this.options.log.warn(`no welcome within ${this.options.welcomeTimeoutMs} ms`);
        socket.terminate();
      }, this.options.welcomeTimeoutMs);
    });
    socket.on("message", (data, isBinary) => {
      this.lastHeard = Date.now();
      if (isBinary) {
        this.options.log.warn("ignored a binary frame from the control plane");
        return;
      }
      this.onMessage(socket, data.toString());
    });
    socket.on("pong", () => {
      this.lastHeard = Date.now();
      this.peerPongs = true;
    });
    socket.on("unexpected-response", (request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      request.destroy();
      end(`upgrade refused with HTTP ${status}`, finalOutcomeOfHttpStatus(status));
    });
    socket.on("error", (err) => {
      // A close always follows; the error only says why.
      this.options.log.warn(`bridge socket error: ${err.message}`);
      end(`failed (${err.message})`, null);
    });
    socket.on("close", (code, reason) => {
      end(`closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ""})`, finalOutcomeOfClose(code));
    });
  }

  private onMessage(socket: WebSocket, raw: string): void {
    const parsed = parseFrame(ControlFrame, raw, CONTROL_TYPES);
    if (!parsed.ok) {
      this.options.log.warn(`ignored a control frame: ${parsed.message}`);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case "welcome":
        this.onWelcome(socket, frame.ackedSeq);
        return;
      case "ack":
        this.onAck(frame.seq);
        return;
      case "token":
        if (this.options.token.renew(frame.token, Date.parse(frame.expiresAt)))
          this.options.log.info(`sandbox token renewed; it now expires at ${frame.expiresAt}`);
        return;
      default:
        this.options.onControl(frame);
    }
  }

  private onWelcome(socket: WebSocket, ackedSeq: number): void {
    if (this.welcomeTimer) clearTimeout(this.welcomeTimer);
    this.welcomeTimer = null;
    const buffer = this.options.buffer;
    if (ackedSeq > buffer.lastSeq) {
      this.options.log.warn(
        `the control plane has seq ${ackedSeq} but this runtime only produced ${buffer.lastSeq}; numbering continues after ${ackedSeq}`,
      );
      buffer.advanceTo(ackedSeq);
      if (this.readyAfterSeq !== null) this.readyAfterSeq = ackedSeq;
    } else if (ackedSeq < buffer.ackedSeq) {
      this.options.log.error(
        `the control plane asks for events after ${ackedSeq} but they were acked and trimmed up to ${buffer.ackedSeq}; they cannot be resent`,
      );
    }
    buffer.ack(ackedSeq);
    this.sentSeq = Math.max(ackedSeq, buffer.ackedSeq);
    this.welcomed = true;
    this.backoff.reset();
    if (this.idle) this.readyAfterSeq = buffer.lastSeq;
    this.options.log.info(
      `bridge connected; control plane has seq ${ackedSeq}, resending ${buffer.lastSeq - this.sentSeq} event(s)`,
    );
    this.heartbeatTimer = setInterval(() => this.heartbeat(socket), this.options.heartbeatMs);
    this.pump();
  }

  private onAck(seq: number): void {
    this.options.buffer.ack(seq);
    for (const waiter of [...this.ackWaiters]) waiter();
  }

  private heartbeat(socket: WebSocket): void {
    if (this.peerPongs && Date.now() - this.lastHeard > this.options.silenceTimeoutMs) {
      this.options.log.warn(`nothing heard from the control plane for ${this.options.silenceTimeoutMs} ms`);
      socket.terminate();
      return;
    }
    this.sendFrame(socket, { v: PROTOCOL_VERSION, type: "heartbeat" });
    socket.ping();
  }

  /** Writes buffered events (and a pending `ready`) while the socket keeps up. */
  private pump(): void {
    const socket = this.socket;
    if (!socket || !this.welcomed || socket.readyState !== WebSocket.OPEN) return;
    const buffer = this.options.buffer;
    while (this.sentSeq < buffer.lastSeq) {
      // Backpressure from a slow link: read more from disk only once the socket has flushed.
      if (this.unflushed >= MAX_UNFLUSHED_FRAMES) return;
      const batch = buffer.readAfter(this.sentSeq, this.options.maxFrameEvents, this.options.maxFrameBytes);
      if (!batch) break;
      this.unflushed += 1;
      socket.send(`{"v":${PROTOCOL_VERSION},"type":"events","events":[${batch.lines.join(",")}]}`, () => {
        if (this.socket !== socket) return;
        this.unflushed -= 1;
        this.notify();
      });
      this.sentSeq = batch.lastSeq;
    }
    if (this.readyAfterSeq !== null && this.sentSeq >= this.readyAfterSeq) {
      this.readyAfterSeq = null;
      this.sendFrame(socket, {
        v: PROTOCOL_VERSION,
        type: "ready",
        ...(this.workspace ? { workspace: this.workspace } : {}),
      });
    }
  }

  private sendFrame(socket: WebSocket, frame: RuntimeFrame): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.welcomeTimer]) if (timer) clearTimeout(timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.reconnectTimer = null;
    this.welcomeTimer = null;
    this.heartbeatTimer = null;
  }
}
