/**
 * The byte-moving half of the egress proxy: plain-HTTP requests relayed to an upstream, raw
 * tunnels (CONNECT), and upgraded connections (WebSocket) replayed onto a fresh upstream socket.
 * Each pair of sockets lives and dies together.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { HOP_BY_HOP_HEADERS } from "@nightshift/protocol";

/** Where a request goes: the address to dial, and what the upstream should see as its Host. */
export interface Upstream {
  /** An IP address the proxy checked, or the control plane's configured host name. */
  dial: string;
  port: number;
  tls: boolean;
  /** Host header (and TLS server name) for the upstream. */
  hostHeader: string;
  servername?: string;
}

export const CONNECT_TIMEOUT_MS = 10_000;

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name)) out[name] = value;
  }
  return out;
}

/** How long a side whose peer hung up may take to flush what is queued for it before it is cut. */
const SPLICE_DRAIN_MS = 30_000;

/**
 * Pipes two sockets into each other. When one side closes, the other is ended, not destroyed:
 * what was queued for it (a response's last bytes, a WebSocket's close frame) is still written,
 * and only a side that has not closed within SPLICE_DRAIN_MS is cut. An error tears both down.
 */
export function splice(a: Duplex, b: Duplex, drainMs = SPLICE_DRAIN_MS): void {
  const destroyBoth = () => {
    a.destroy();
    b.destroy();
  };
  const endAfterPeer = (other: Duplex) => () => {
    if (other.destroyed) return;
    other.end();
    setTimeout(() => other.destroy(), drainMs).unref();
  };
  a.on("error", destroyBoth).on("close", endAfterPeer(b));
  b.on("error", destroyBoth).on("close", endAfterPeer(a));
  a.pipe(b);
  b.pipe(a);
}

export function plainText(res: ServerResponse, status: number, text: string, headers = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close", ...headers });
  res.end(`${text}\n`);
}

/** Relays one plain-HTTP request and its response; 502 when the upstream cannot be reached. */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  path: string,
): void {
  const send = upstream.tls ? httpsRequest : httpRequest;
  const outgoing = send({
    host: upstream.dial,
    port: upstream.port,
    method: req.method,
    path,
    headers: { ...endToEnd(req.headers), host: upstream.hostHeader },
    ...(upstream.servername ? { servername: upstream.servername } : {}),
    timeout: CONNECT_TIMEOUT_MS,
  });
  outgoing.on("response", (incoming) => {
    res.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
    incoming.pipe(res);
    incoming.on("error", () => res.destroy());
  });
  outgoing.on("timeout", () => outgoing.destroy(new Error("timed out")));
  outgoing.on("error", (err) =>
    plainText(res, 502, `nightshift egress proxy: cannot reach ${upstream.hostHeader}: ${errorCode(err)}`),
  );
  res.on("close", () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  req.pipe(outgoing);
}

/** Opens a TCP (or TLS) connection to the upstream; resolves once it is connected. */
export function dial(upstream: Upstream): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = upstream.tls
      ? tlsConnect({
          host: upstream.dial,
          port: upstream.port,
          ...(upstream.servername ? { servername: upstream.servername } : {}),
        })
      : netConnect({ host: upstream.dial, port: upstream.port });
    const timer = setTimeout(() => socket.destroy(new Error("timed out")), CONNECT_TIMEOUT_MS);
    socket.once(upstream.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.removeListener("error", onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once("error", onError);
  });
}

/** Replays an upgrade request (its head and any bytes already read) onto the upstream and splices. */
export async function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstream: Upstream,
  path: string,
): Promise<void> {
  let socket: Socket;
  try {
    socket = await dial(upstream);
  } catch (err) {
    client.end(rawResponse(502, `cannot reach ${upstream.hostHeader}: ${errorCode(err)}`));
    return;
  }
  const lines = [`${req.method} ${path} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? "";
    if (/^(host|proxy-authorization|proxy-connection)$/i.test(name)) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1] ?? ""}`);
  }
  lines.push(`Host: ${upstream.hostHeader}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length > 0) socket.write(head);
  splice(client, socket);
}

/** A complete HTTP/1.1 response for a raw socket (CONNECT and upgrade answers). */
export function rawResponse(status: number, text: string, headers: Record<string, string> = {}): string {
  const reason = status === 403 ? "Forbidden" : status === 400 ? "Bad Request" : "Bad Gateway";
  const body = `nightshift egress proxy: ${text}\n`;
  const fields = Object.entries({
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${reason}\r\n${fields.join("\r\n")}\r\n\r\n${body}`;
}

export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? "error";
}
