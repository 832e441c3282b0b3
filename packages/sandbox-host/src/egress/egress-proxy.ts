/**
 * One sandbox's egress proxy: an HTTP proxy on a unix socket only that sandbox can see (bound
 * into it), so every connection is known to come from it. It speaks
 * - CONNECT host:port (https and other TLS), allow-listed by host:port;
 * - absolute-form plain HTTP (`GET http://host/…`), allow-listed the same way;
 * - origin-form requests (`GET /sandbox/…`), reverse-proxied to the control plane, WebSocket
 *   upgrades included (the runtime's bridge), with TLS when the control plane is https.
 * A refused request gets 403 with an `x-nightshift-egress-denied` header naming the reason, and
 * is reported to the session log through `DenialReporter` (host:port and reason, never a query).
 */
import { chmodSync, chownSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { EGRESS_DENIALS_PATH, SANDBOX_EGRESS_PORT } from "@nightshift/protocol";
import type { DenialReporter } from "./denial-reporter";
import {
  decide,
  type EgressRules,
  type Endpoint,
  endpointOf,
  formatEndpoint,
  isSandboxRoute,
} from "./egress-policy";
import {
  dial,
  errorCode,
  forwardRequest,
  forwardUpgrade,
  plainText,
  rawResponse,
  splice,
  type Upstream,
} from "./forward";
import { type Lookup, resolveTarget, systemLookup } from "./resolve-target";

const DENIED_HEADER = "x-nightshift-egress-denied";
/** Connections (tunnels included) one sandbox may hold open at once: bounds the host's descriptors. */
export const MAX_CONNECTIONS = 256;
/** sockaddr_un's path limit on Linux, minus the terminating NUL. */
const MAX_SOCKET_PATH = 107;

export interface EgressProxyOptions {
  socketPath: string;
  rules: EgressRules;
  reporter: DenialReporter;
  lookup?: Lookup;
  /** The sandbox's uid when it is not the host's: it must be able to connect to the socket. */
  uid?: number;
}

type Route = { ok: true; upstream: Upstream; path: string } | { ok: false; target: string; reason: string };

export class EgressProxy {
  private readonly connections = new Set<Duplex>();
  private readonly lookup: Lookup;

  private constructor(
    private readonly server: Server,
    private readonly options: EgressProxyOptions,
  ) {
    this.lookup = options.lookup ?? systemLookup;
    server.on("connection", (socket: Socket) => this.track(socket));
    server.on("request", (req, res) => void this.onRequest(req, res));
    server.on("connect", (req, socket, head) => void this.onConnect(req, socket, head));
    server.on("upgrade", (req, socket, head) => void this.onUpgrade(req, socket, head));
    server.on("clientError", (_err, socket) => socket.destroy());
  }

  static async start(options: EgressProxyOptions): Promise<EgressProxy> {
    if (Buffer.byteLength(options.socketPath) > MAX_SOCKET_PATH) {
      throw new Error(
        `the egress socket path ${options.socketPath} is longer than ${MAX_SOCKET_PATH} bytes; choose a shorter --data-dir`,
      );
    }
    rmSync(options.socketPath, { force: true });
    const server = createServer();
    server.maxConnections = MAX_CONNECTIONS;
    const proxy = new EgressProxy(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.socketPath, () => resolve());
    });
    chmodSync(options.socketPath, 0o600);
    if (options.uid !== undefined) chownSync(options.socketPath, options.uid, options.uid);
    return proxy;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** Sockets the proxy holds open now (connections, tunnels, upgraded sockets). */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Stops listening, cuts every open connection and tunnel, and removes the socket. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.connections) socket.destroy();
    await closed;
    rmSync(this.options.socketPath, { force: true });
  }

  /**
   * Every socket the proxy holds gets its error listener here, once: the http server drops its own
   * listener when it hands a socket over for CONNECT or an upgrade, and a sandbox that hangs up
   * mid-answer must never turn the write's EPIPE into an uncaught exception in the host.
   */
  private track(socket: Duplex): void {
    if (this.connections.has(socket)) return;
    this.connections.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.connections.delete(socket));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url === EGRESS_DENIALS_PATH && req.method === "GET") return this.streamDenials(res);
    const route = await this.route(req);
    if (!route.ok) {
      this.options.reporter.deny(route.target, route.reason);
      plainText(res, 403, `nightshift egress proxy: ${route.target} refused: ${route.reason}`, {
        [DENIED_HEADER]: route.reason,
      });
      return;
    }
    forwardRequest(req, res, route.upstream, route.path);
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.track(socket);
    const route = await this.route(req);
    if (!route.ok) {
      this.options.reporter.deny(route.target, route.reason);
      socket.end(
        rawResponse(403, `${route.target} refused: ${route.reason}`, { [DENIED_HEADER]: route.reason }),
      );
      return;
    }
    await forwardUpgrade(req, socket, head, route.upstream, route.path);
  }

  private async onConnect(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    this.track(client);
    const target = parseAuthority(req.url ?? "");
    if (!target) {
      client.end(rawResponse(400, "CONNECT needs host:port"));
      return;
    }
    const label = `CONNECT ${formatEndpoint(target)}`;
    const deny = (reason: string) => {
      this.options.reporter.deny(label, reason);
      client.end(rawResponse(403, `${label} refused: ${reason}`, { [DENIED_HEADER]: reason }));
    };
    const decision = decide(this.options.rules, target, "connect");
    if (decision.allow !== true) return deny(decision.allow === false ? decision.reason : "not allowed");
    const resolved = await resolveTarget(this.lookup, target.host, decision.trusted);
    if (!resolved.ok) return deny(resolved.reason);
    let upstream: Socket;
    try {
      upstream = await dial({
        dial: resolved.address,
        port: target.port,
        tls: false,
        hostHeader: target.host,
      });
    } catch (err) {
      client.end(rawResponse(502, `cannot reach ${formatEndpoint(target)}: ${errorCode(err)}`));
      return;
    }
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    splice(client, upstream);
  }

  /** Where an HTTP request (or upgrade) may go: the control plane's sandbox routes or an allowed host. */
  private async route(req: IncomingMessage): Promise<Route> {
    const rules = this.options.rules;
    const method = req.method ?? "GET";
    const raw = req.url ?? "";
    if (raw.startsWith("/")) return this.controlPlaneRoute(method, raw);
    if (!URL.canParse(raw)) return { ok: false, target: method, reason: "not an absolute http:// URL" };
    const url = new URL(raw);
    const target = endpointOf(url);
    const label = `${method} ${formatEndpoint(target)}`;
    if (url.protocol !== "http:")
      return { ok: false, target: label, reason: "only http:// URLs (use CONNECT for https)" };
    if (url.username || url.password)
      return { ok: false, target: label, reason: "credentials in a proxied URL are refused" };
    const decision = decide(rules, target, "http");
    // The forwarder's own address names the control plane too: a client that sends even requests
    // for the proxy's URL through the proxy (Node with NODE_USE_ENV_PROXY) still gets there.
    if (decision.allow === "control-plane" || isForwarderAddress(target))
      return this.controlPlaneRoute(method, `${url.pathname}${url.search}`);
    if (decision.allow === false) return { ok: false, target: label, reason: decision.reason };
    const resolved = await resolveTarget(this.lookup, target.host, decision.trusted);
    if (!resolved.ok) return { ok: false, target: label, reason: resolved.reason };
    return {
      ok: true,
      upstream: { dial: resolved.address, port: target.port, tls: false, hostHeader: url.host },
      path: `${url.pathname}${url.search}`,
    };
  }

  private controlPlaneRoute(method: string, path: string): Route {
    const { controlPlane } = this.options.rules;
    if (!isSandboxRoute(this.options.rules, path)) {
      const pathname = (path.split("?")[0] ?? "").slice(0, 120);
      return {
        ok: false,
        target: `${method} ${formatEndpoint(controlPlane.endpoint)}${pathname}`,
        reason: "only the control plane's /sandbox/ routes are reachable from a sandbox",
      };
    }
    const origin = new URL(controlPlane.origin);
    return {
      ok: true,
      upstream: {
        dial: controlPlane.endpoint.host,
        port: controlPlane.endpoint.port,
        tls: origin.protocol === "https:",
        hostHeader: origin.host,
        ...(isIP(origin.hostname.replace(/^\[|\]$/g, "")) ? {} : { servername: origin.hostname }),
      },
      path,
    };
  }

  private streamDenials(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    res.flushHeaders();
    const unsubscribe = this.options.reporter.subscribe((denial) => res.write(`${JSON.stringify(denial)}\n`));
    res.on("close", unsubscribe);
  }
}

function isForwarderAddress(target: Endpoint): boolean {
  return target.port === SANDBOX_EGRESS_PORT && (target.host === "127.0.0.1" || target.host === "localhost");
}

/** `host:port` of a CONNECT request (IPv6 in brackets); null when it is not one. */
function parseAuthority(authority: string): Endpoint | null {
  if (!/^[^/?#@\s]+:\d{1,5}$/.test(authority) || !URL.canParse(`http://${authority}`)) return null;
  // URL refuses a port above 65535; port 0 is left to refuse here.
  const target = endpointOf(new URL(`http://${authority}`));
  return target.port >= 1 ? target : null;
}
