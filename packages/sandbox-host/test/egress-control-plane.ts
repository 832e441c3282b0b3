/**
 * A stand-in control plane on 127.0.0.1 for the egress tests: the bridge at /sandbox/connect
 * (welcome, store and ack events), the git proxy (`handlers`, see git-proxy-stand-in.ts), and the
 * routes a sandbox must never
 * reach (/auth/dev-login hands out an owner cookie, /api/*). It records every request path that
 * reached it, so a test can prove a forbidden one never arrived.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { BridgeRecorder, type HttpHandler } from "./bridge-server";

export class EgressControlPlane extends BridgeRecorder {
  /** `METHOD /path` of every HTTP request and upgrade that arrived. */
  readonly hits: string[] = [];
  /** Plain HTTP requests these answer (return true) are theirs. */
  readonly handlers: HttpHandler[] = [];

  private constructor(
    private readonly server: Server,
    private readonly sockets: WebSocketServer,
  ) {
    super();
  }

  static async start(token: string): Promise<EgressControlPlane> {
    const server = createServer();
    const sockets = new WebSocketServer({ noServer: true });
    const plane = new EgressControlPlane(server, sockets);
    server.on("request", (req, res) => {
      plane.hits.push(`${req.method} ${req.url}`);
      if (req.url === "/auth/dev-login") {
        res.writeHead(200, {
          "set-cookie": "ns_session=owner; HttpOnly",
          "content-type": "application/json",
        });
        res.end('{"ok":true,"role":"owner"}');
      } else if (plane.handlers.some((handle) => handle(req, res))) {
        // answered by a handler (the git proxy stand-in)
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"reached":true}');
      }
    });
    server.on("upgrade", (req, socket, head) => {
      plane.hits.push(`UPGRADE ${req.url}`);
      if (req.url !== "/sandbox/connect" || req.headers.authorization !== `Bearer ${token}`) {
        socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => plane.attach(ws));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return plane;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  logText(source?: string): string {
    return this.events
      .flatMap((e) => (e.type === "log" && (source === undefined || e.source === source) ? [e.text] : []))
      .join("");
  }

  async stop(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
