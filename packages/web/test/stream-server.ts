/**
 * A real WebSocket server on loopback that speaks the client-socket protocol, scripted per test
 * (drop, overlap, skip, stay silent), and a handler set that records what a SessionStream reports.
 */
import type { AddressInfo } from "node:net";
import type { StoredEvent } from "@nightshift/protocol";
import { type WebSocket as ServerSocket, WebSocketServer } from "ws";
import type { ConnectionState } from "../src/stream/session-stream";
import { firstTurn, stored } from "./sample-events";

export const LOG = stored(firstTurn);

export interface Conn {
  socket: ServerSocket;
  /** The cursor the client resumed after (`?after=`). */
  after: number;
  /** Every frame the client sent on this connection, parsed. */
  received: unknown[];
}

export async function startServer(onConnect: (conn: Conn) => void) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const conns: Conn[] = [];
  wss.on("connection", (socket, req) => {
    const url = new URL(req.url ?? "/", "http://x");
    const conn: Conn = { socket, after: Number(url.searchParams.get("after")), received: [] };
    socket.on("message", (data) => conn.received.push(JSON.parse(String(data))));
    conns.push(conn);
    onConnect(conn);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    conns,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

export function sendEvents(socket: ServerSocket, events: StoredEvent[]) {
  socket.send(JSON.stringify({ v: 1, type: "events", events }));
}

/** What the control plane does on connect: the backlog after the client's cursor, then replay.done. */
export function replay(conn: Conn, log: StoredEvent[] = LOG) {
  const backlog = log.filter((e) => e.seq > conn.after);
  if (backlog.length) sendEvents(conn.socket, backlog);
  conn.socket.send(JSON.stringify({ v: 1, type: "replay.done", lastSeq: log.at(-1)?.seq ?? 0 }));
}

export function collector() {
  const seqs: number[] = [];
  const states: ConnectionState[] = [];
  const errors: string[] = [];
  return {
    seqs,
    states,
    errors,
    handlers: {
      onEvents: (events: StoredEvent[]) => seqs.push(...events.map((e) => e.seq)),
      onState: (s: ConnectionState) => states.push(s),
      onServerError: (code: string, message: string) => errors.push(`${code}: ${message}`),
    },
  };
}
