/**
 * A minimal control-plane side of the bridge for the host's end-to-end test: welcome, store and
 * ack events in order, send control frames. (The runtime package tests the protocol in depth.)
 */
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

export class BridgeServer extends BridgeRecorder {
  private constructor(private readonly server: WebSocketServer) {
    super();
    server.on("connection", (socket) => this.attach(socket));
  }

  static async start(token: string): Promise<BridgeServer> {
    const server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      path: "/sandbox/connect",
      verifyClient: (info, done) => done(info.req.headers.authorization === `Bearer ${token}`, 401),
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new BridgeServer(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
