/**
 * A minimal control-plane side of the bridge for the host's end-to-end test: welcome, store and
 * ack events in order, send control frames; plain HTTP requests go to the handlers it is given
 * (the git proxy stand-in). (The runtime package tests the protocol in depth.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type AgentEvent, type ControlFrame, RuntimeFrame } from "@nightshift/protocol";
import { type WebSocket, WebSocketServer } from "ws";

/** The control plane's half of one bridge socket: welcome, store events once in order, ack. */
export class BridgeRecorder {
  readonly events: AgentEvent[] = [];
  readyFrames = 0;
  private socket: WebSocket | null = null;

  attach(socket: WebSocket): void {
    this.socket = socket;
    socket.on("message", (data) => {
      const frame = RuntimeFrame.parse(JSON.parse(data.toString()));
      if (frame.type === "hello") this.send({ v: 1, type: "welcome", ackedSeq: this.events.length });
      if (frame.type === "ready") this.readyFrames += 1;
      if (frame.type !== "events") return;
      for (const { seq, event } of frame.events) if (seq === this.events.length + 1) this.events.push(event);
      this.send({ v: 1, type: "ack", seq: this.events.length });
    });
  }

  send(frame: ControlFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }
}

/** Answers a plain HTTP request (returns true) or leaves it to the next one (e.g. the git stand-in). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export class BridgeServer extends BridgeRecorder {
  /** Plain HTTP requests go to these in order (a test may add one once the host it needs runs). */
  readonly handlers: HttpHandler[] = [];

  private constructor(
    private readonly server: Server,
    private readonly sockets: WebSocketServer,
  ) {
    super();
  }

  static async start(token: string, handlers: HttpHandler[] = []): Promise<BridgeServer> {
    const server = createServer((req, res) => {
      if (bridge.handlers.some((handle) => handle(req, res))) return;
      res.writeHead(404).end();
    });
    const sockets = new WebSocketServer({ noServer: true });
    const bridge = new BridgeServer(server, sockets);
    bridge.handlers.push(...handlers);
    server.on("upgrade", (req, socket, head) => {
      if (req.url !== "/sandbox/connect" || req.headers.authorization !== `Bearer ${token}`) {
        socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => bridge.attach(ws));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return bridge;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
