/**
 * An in-test bridge server on 127.0.0.1 that speaks the control plane's side of the protocol:
 * checks the bearer token, answers hello with welcome, stores events strictly in order (like the
 * SessionAgent: only seq = acked + 1 is stored) and acks. Tests script drops and close codes.
 */
import type { AddressInfo } from "node:net";
import { type AgentEvent, type ControlFrame, RuntimeFrame } from "@nightshift/protocol";
import { type WebSocket, WebSocketServer } from "ws";

export interface ProtocolServerOptions {
  token: string;
  /** Refuse the upgrade with this HTTP status. */
  refuseWith?: number;
}

export class ProtocolServer {
  readonly stored: Array<{ seq: number; event: AgentEvent }> = [];
  /** Every frame received, in order (hello, events, heartbeat, ready). */
  readonly frames: RuntimeFrame[] = [];
  /** Seqs that arrived out of order or twice after welcome: must stay empty. */
  readonly violations: string[] = [];
  connections = 0;
  /** The close code of every connection that ended, in order (1006: dropped without a close frame). */
  readonly closeCodes: number[] = [];
  ackedSeq = 0;
  /** Tokens the upgrade accepts: the one it started with and any a test adds (a renewed one). */
  readonly tokens = new Set<string>();
  /** The bearer token of every accepted upgrade, in order. */
  readonly presentedTokens: string[] = [];
  /** Called for every events frame before it is stored; return "drop" to cut the connection instead. */
  onEventsFrame: (frameIndex: number) => "store" | "drop" = () => "store";
  /** Answer to hello; by default the stored seq. */
  welcomeSeq: () => number = () => this.ackedSeq;
  private eventsFrames = 0;
  private readonly server: WebSocketServer;
  private socket: WebSocket | null = null;

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on("connection", (socket) => this.accept(socket));
  }

  static async start(options: ProtocolServerOptions): Promise<ProtocolServer> {
    let instance: ProtocolServer | null = null;
    const server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      path: "/sandbox/connect",
      verifyClient: (info, done) => {
        if (options.refuseWith) return done(false, options.refuseWith);
        const token = /^Bearer (.+)$/.exec(info.req.headers.authorization ?? "")?.[1] ?? "";
        const ok = instance?.tokens.has(token) ?? false;
        if (ok) instance?.presentedTokens.push(token);
        if (!ok && instance) instance.violations.push("bad authorization header");
        done(ok, 401);
      },
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    instance = new ProtocolServer(server);
    instance.tokens.add(options.token);
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get isConnected(): boolean {
    return this.socket !== null;
  }

  send(frame: ControlFrame | string): void {
    this.socket?.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  close(code: number, reason = ""): void {
    this.socket?.close(code, reason);
  }

  drop(): void {
    this.socket?.terminate();
    this.socket = null;
  }

  framesOfType<T extends RuntimeFrame["type"]>(type: T): Array<Extract<RuntimeFrame, { type: T }>> {
    return this.frames.filter((f): f is Extract<RuntimeFrame, { type: T }> => f.type === type);
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    this.connections += 1;
    this.socket = socket;
    let welcomed = false;
    socket.on("close", (code) => {
      this.closeCodes.push(code);
      if (this.socket === socket) this.socket = null;
    });
    socket.on("message", (data) => {
      const parsed = RuntimeFrame.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) {
        this.violations.push(`invalid frame: ${parsed.error.issues[0]?.message}`);
        return;
      }
      const frame = parsed.data;
      this.frames.push(frame);
      if (frame.type === "hello") {
        welcomed = true;
        socket.send(JSON.stringify({ v: 1, type: "welcome", ackedSeq: this.welcomeSeq() }));
        return;
      }
      if (!welcomed) this.violations.push(`${frame.type} before hello`);
      if (frame.type !== "events") return;
      this.eventsFrames += 1;
      if (this.onEventsFrame(this.eventsFrames) === "drop") {
        this.drop();
        return;
      }
      for (const { seq, event } of frame.events) {
        if (seq !== this.ackedSeq + 1) {
          this.violations.push(`got seq ${seq} after ${this.ackedSeq}`);
          continue;
        }
        this.stored.push({ seq, event });
        this.ackedSeq = seq;
      }
      socket.send(JSON.stringify({ v: 1, type: "ack", seq: this.ackedSeq }));
    });
  }
}
