/**
 * A small loopback server that answers like the control plane's HTTP API and stream socket, for
 * the client's edge cases (drops, duplicates, gaps, refusals) that the real Worker will not
 * produce on demand. Each test scripts what the server does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StoredEvent } from "@nightshift/protocol";
import { type WebSocket, WebSocketServer } from "ws";

export interface Upgrade {
  socket: WebSocket;
  url: URL;
  headers: IncomingMessage["headers"];
}

export interface FakeControlPlane {
  url: string;
  requests: { method: string; url: URL; headers: IncomingMessage["headers"]; body: string }[];
  upgrades: Upgrade[];
  close(): Promise<void>;
}

export type HttpHandler = (req: { method: string; url: URL; body: string }, res: ServerResponse) => void;
export type UpgradeHandler = (upgrade: Upgrade) => void;
/** Answers an upgrade with a plain HTTP status instead of accepting it (a refusal). */
export type UpgradeGate = (url: URL) => number | null;

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function eventsFrame(seqs: number[]): string {
  const events: StoredEvent[] = seqs.map((seq) => ({
    seq,
    at: new Date(0).toISOString(),
    event: { type: "log", source: "test", stream: "stdout", text: `line ${seq}` },
  }));
  return JSON.stringify({ v: 1, type: "events", events });
}

export async function startFakeControlPlane(
  onHttp: HttpHandler,
  onUpgrade: UpgradeHandler = () => {},
  gate: UpgradeGate = () => null,
): Promise<FakeControlPlane> {
  const requests: FakeControlPlane["requests"] = [];
  const upgrades: Upgrade[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "GET", url, headers: req.headers, body });
      onHttp({ method: req.method ?? "GET", url, body }, res);
    });
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const refusal = gate(url);
    if (refusal !== null) {
      socket.end(`HTTP/1.1 ${refusal} Refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const upgrade = { socket: ws, url, headers: req.headers };
      upgrades.push(upgrade);
      onUpgrade(upgrade);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    upgrades,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
