/**
 * A git smart-HTTP server on 127.0.0.1 for tests: `git http-backend` (real git) serving the bare
 * repositories under `root`, behind Basic auth with one accepted password. Records every request
 * (path and whether it carried credentials), so a test can prove where a push went.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHttpRequest {
  method: string;
  /** The repository path and service, e.g. "/session.git/git-receive-pack". */
  path: string;
  authorized: boolean;
}

export interface GitHttpServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

function serveBackend(req: IncomingMessage, res: ServerResponse, root: string, user: string): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const backend = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_USER: user,
      REMOTE_ADDR: "127.0.0.1",
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  req.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersSent = true;
    res.write(head.subarray(end + 4));
  });
  backend.on("close", () => {
    if (!headersSent) res.writeHead(500);
    res.end();
  });
}

/** Serves `root`; only `username:password` gets in (git asks its credential helper after the 401). */
export async function startGitHttpServer(
  root: string,
  credentials: { username: string; password: string },
): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  const requests: GitHttpRequest[] = [];
  const server: Server = createServer((req, res) => {
    const authorized = req.headers.authorization === expected;
    requests.push({
      method: req.method ?? "GET",
      path: new URL(req.url ?? "/", "http://127.0.0.1").pathname,
      authorized,
    });
    if (!authorized) {
      req.resume();
      res.writeHead(401, { "www-authenticate": 'Basic realm="test"' });
      res.end();
      return;
    }
    serveBackend(req, res, root, credentials.username);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
