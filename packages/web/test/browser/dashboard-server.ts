/**
 * The browser's door to the stack, on loopback: the Worker's paths (HTTP and WebSocket upgrades)
 * are forwarded to `wrangler dev`, and the dashboard is served from dist/ with SPA fallback
 * while the Worker's own [assets] still point elsewhere (once wrangler.toml serves
 * packages/web/dist, `passAll` forwards everything). Open stream sockets can be cut, so a test
 * can drop the dashboard's connection the way a network would.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { extname, join, normalize } from "node:path";

const WORKER_PATHS = ["/api/", "/auth/", "/webhooks/", "/sandbox/"];
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

export interface DashboardServer {
  url: string;
  port: number;
  /** Where the Worker answers; set once it is up. */
  setTarget(workerUrl: string, passAll: boolean): void;
  /** Cuts every open WebSocket (both directions, no close frame); returns how many. */
  dropSockets(): number;
  close(): Promise<void>;
}

export async function startDashboardServer(distDir: string, port = 0): Promise<DashboardServer> {
  let target: URL | null = null;
  let passAll = false;
  const upgraded = new Set<Socket>();

  function toWorker(path: string): boolean {
    return passAll || WORKER_PATHS.some((p) => path.startsWith(p));
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse) {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(distDir, path));
    const inside = file.startsWith(distDir) && existsSync(file) && statSync(file).isFile();
    // Unknown paths are the SPA's routes: answer with index.html, as the Worker's assets do.
    const chosen = inside ? file : join(distDir, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(chosen)] ?? "application/octet-stream" });
    res.end(readFileSync(chosen));
  }

  function forward(req: IncomingMessage, res: ServerResponse) {
    if (!target) {
      res.writeHead(503).end("the Worker is not up yet");
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    if (toWorker(req.url ?? "/")) forward(req, res);
    else serveStatic(req, res);
  });

  server.on("upgrade", (req, client: Socket, head: Buffer) => {
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upgraded.add(client);
    const cleanup = () => {
      upgraded.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cleanup).on("close", cleanup);
    upstream.on("error", cleanup).on("close", cleanup);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    setTarget(workerUrl, all) {
      target = new URL(workerUrl);
      passAll = all;
    },
    dropSockets() {
      const n = upgraded.size;
      for (const s of upgraded) s.destroy();
      upgraded.clear();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of upgraded) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
