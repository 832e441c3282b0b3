/**
 * Git smart HTTP for the double, served by `git http-backend` (CGI). Authentication is GitHub's:
 * HTTP Basic with `x-access-token:<installation token>`. Before handing the request to git it
 * enforces what the token may do: its repository scope, `contents: read` to fetch, `contents: write`
 * to push, and its expiry. No credentials → 401 with a Basic challenge, so git asks its helper.
 */
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GIT_ENV } from "./bare-repos";
import type { GithubState, Repository } from "./github-state";
import { allows, type InstallationTokens } from "./installation-tokens";

export interface GitAccessRecord {
  repo: string;
  service: "upload-pack" | "receive-pack";
  outcome:
    | "ok"
    | "not-found"
    | "no-credentials"
    | "bad-credentials"
    | "expired"
    | "wrong-repository"
    | "forbidden";
}

const GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD))$/;

export function isGitRequest(pathname: string): boolean {
  return GIT_PATH.test(pathname);
}

function basicPassword(header: string | undefined): { username: string; password: string } | null {
  const match = /^basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function handleGit(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: {
    state: GithubState;
    tokens: InstallationTokens;
    root: string;
    now: () => number;
    log: GitAccessRecord[];
  },
): void {
  const match = GIT_PATH.exec(url.pathname);
  const [, owner = "", name = "", rest = ""] = match ?? [];
  const repo = deps.state.repo(owner, name);
  const service =
    rest === "/git-receive-pack" || url.searchParams.get("service") === "git-receive-pack"
      ? "receive-pack"
      : "upload-pack";
  const refusal = checkAccess(req, repo, service, deps);
  deps.log.push({ repo: `${owner}/${name}`, service, outcome: refusal?.outcome ?? "ok" });
  if (refusal) {
    const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
    if (refusal.status === 401) headers["www-authenticate"] = 'Basic realm="GitHub"';
    res.writeHead(refusal.status, headers).end(`${refusal.message}\n`);
    return;
  }
  if (!repo) return;
  runBackend(req, res, { root: deps.root, pathInfo: `/${repo.owner}/${repo.name}.git${rest}`, url });
}

interface Refusal {
  status: number;
  message: string;
  outcome: GitAccessRecord["outcome"];
}

/** Why GitHub would refuse this git request, or null when the token may do it. */
function checkAccess(
  req: IncomingMessage,
  repo: Repository | undefined,
  service: GitAccessRecord["service"],
  deps: { tokens: InstallationTokens; now: () => number },
): Refusal | null {
  if (!repo) return { status: 404, message: "Repository not found.", outcome: "not-found" };
  const creds = basicPassword(req.headers.authorization);
  if (!creds) return { status: 401, message: "Authentication required", outcome: "no-credentials" };
  const found = deps.tokens.lookup(creds.password, deps.now());
  if (found === "expired")
    return { status: 401, message: "Invalid username or token. Token expired.", outcome: "expired" };
  if (!found || creds.username !== "x-access-token")
    return { status: 401, message: "Invalid username or token.", outcome: "bad-credentials" };
  if (!deps.tokens.covers(found, repo))
    return {
      status: 403,
      message: `Permission to ${repo.owner}/${repo.name}.git denied to this token.`,
      outcome: "wrong-repository",
    };
  const level = service === "receive-pack" ? "write" : "read";
  if (!allows(found.permissions, "contents", level))
    return { status: 403, message: "Write access to repository not granted.", outcome: "forbidden" };
  return null;
}

/** Runs `git http-backend` for one request and relays its CGI answer. */
function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { root: string; pathInfo: string; url: URL },
): void {
  const env: Record<string, string> = {
    ...GIT_ENV,
    GIT_PROJECT_ROOT: opts.root,
    GIT_HTTP_EXPORT_ALL: "1",
    // http-backend refuses receive-pack for anonymous users; the token check above stands for auth.
    REMOTE_USER: "x-access-token",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: opts.pathInfo,
    QUERY_STRING: opts.url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
  };
  const encoding = req.headers["content-encoding"];
  if (encoding) env.HTTP_CONTENT_ENCODING = String(encoding);
  if (req.headers["content-length"]) env.CONTENT_LENGTH = String(req.headers["content-length"]);
  const child = spawn("git", ["http-backend"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let headerBuf = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    headerBuf = Buffer.concat([headerBuf, chunk]);
    const end = headerBuf.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of headerBuf.subarray(0, end).toString("utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (key.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
      else headers[key] = value;
    }
    res.writeHead(status, headers);
    res.write(headerBuf.subarray(end + 4));
  });
  child.stdout.on("end", () => {
    if (!headersDone) res.writeHead(502, { "content-type": "text/plain" });
    res.end();
  });
  child.stderr.resume();
  child.on("error", () => {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("git http-backend could not start; is git installed?\n");
  });
  req.pipe(child.stdin);
  child.stdin.on("error", () => undefined);
}
