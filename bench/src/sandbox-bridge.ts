/**
 * The control plane's side of the bridge for benchmarks that drive sandboxes without the Worker:
 * one WebSocket per sandbox token on 127.0.0.1, events stored and acked in order, and waits for
 * a sandbox's `ready` frame or its next `turn.end`.
 */
import type { AddressInfo } from "node:net";
import { type AgentEvent, type ControlFrame, RuntimeFrame } from "@nightshift/protocol";
import { type WebSocket, WebSocketServer } from "ws";

interface Connection {
  socket: WebSocket | null;
  events: AgentEvent[];
  ready: boolean;
  waiters: Set<() => void>;
}

export class SandboxBridge {
  private readonly connections = new Map<string, Connection>();

  private constructor(private readonly server: WebSocketServer) {
    server.on("connection", (socket, req) => {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      const connection = this.connection(token);
      connection.socket = socket;
      socket.on("message", (data) => {
        const frame = RuntimeFrame.parse(JSON.parse(data.toString()));
        if (frame.type === "hello")
          this.send(token, { v: 1, type: "welcome", ackedSeq: connection.events.length });
        if (frame.type === "ready") connection.ready = true;
        if (frame.type === "events") {
          for (const { seq, event } of frame.events)
            if (seq === connection.events.length + 1) connection.events.push(event);
          this.send(token, { v: 1, type: "ack", seq: connection.events.length });
        }
        for (const wake of connection.waiters) wake();
      });
    });
  }

  static async start(): Promise<SandboxBridge> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/sandbox/connect" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new SandboxBridge(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  send(token: string, frame: ControlFrame): void {
    this.connections.get(token)?.socket?.send(JSON.stringify(frame));
  }

  turnEnds(token: string): number {
    return this.connection(token).events.filter((e) => e.type === "turn.end").length;
  }

  /** Resolves when `condition` holds for the sandbox with `token`; rejects after `timeoutMs`. */
  until(
    token: string,
    what: string,
    condition: (c: { ready: boolean; events: AgentEvent[] }) => boolean,
    timeoutMs = 60_000,
  ) {
    const connection = this.connection(token);
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition(connection)) return;
        clearTimeout(timer);
        connection.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        connection.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      connection.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connection(token: string): Connection {
    let connection = this.connections.get(token);
    if (!connection) {
      connection = { socket: null, events: [], ready: false, waiters: new Set() };
      this.connections.set(token, connection);
    }
    return connection;
  }
}
