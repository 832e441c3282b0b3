/**
 * The control plane's git proxy as host tests need it: `/sandbox/git/local/<path>.git/...` with
 * the sandbox token as the Basic password (401 + WWW-Authenticate without it, so git asks its
 * credential helper), forwarded to the host's signed git endpoint for the session's live
 * incarnation, the body streamed and signed without it, exactly as `LocalSandboxProvider`
 * calls it. The real proxy (control-plane git-proxy/) adds the branch policy on top.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { ListSandboxesResponse } from "@nightshift/protocol";
import { BASE_ENV, type Harness, SECRET } from "./host-harness";
import { signedFetch, signedHeaders } from "./signed-fetch";

export interface GitUpstream {
  hostUrl: string;
  secret: string;
  token: string;
  sessionId: string;
}

/** The upstream of a harness's host for `sessionId`, with the harness's sandbox token. */
export function upstreamOf(h: Harness, sessionId: string): GitUpstream {
  return { hostUrl: h.host.url, secret: SECRET, token: BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN, sessionId };
}

/** `METHOD path` of every git request the stand-in forwarded, and of the ones it turned away. */
export interface GitProxyLog {
  forwarded: string[];
  unauthorized: string[];
}

const GIT_PATH = /^\/sandbox\/git\/local\/.+?\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

async function liveIncarnation(upstream: GitUpstream): Promise<string | null> {
  const res = await signedFetch(upstream.hostUrl, upstream.secret, { method: "GET", path: "/v1/sandboxes" });
  const { sandboxes } = ListSandboxesResponse.parse(await res.json());
  const live = sandboxes.filter(
    (s) => s.sessionId === upstream.sessionId && (s.state === "running" || s.state === "starting"),
  );
  return live.at(-1)?.incarnation ?? null;
}

/** Handles the request when it is a git request (returns true), else leaves it to the caller. */
export function gitProxyHandler(upstream: GitUpstream, log: GitProxyLog) {
  const expected = `Basic ${Buffer.from(`x-sandbox-token:${upstream.token}`).toString("base64")}`;
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = GIT_PATH.exec(url.pathname);
    if (!match) return false;
    if (req.headers.authorization !== expected) {
      log.unauthorized.push(`${req.method} ${url.pathname}`);
      req.resume();
      res.writeHead(401, { "www-authenticate": 'Basic realm="nightshift"' });
      res.end();
      return true;
    }
    log.forwarded.push(`${req.method} ${url.pathname}`);
    void (async () => {
      const incarnation = await liveIncarnation(upstream);
      if (!incarnation) {
        res.writeHead(404).end("no live sandbox\n");
        return;
      }
      const query = new URLSearchParams(url.search);
      query.set("nonce", randomUUID());
      const path = `/v1/sessions/${upstream.sessionId}/incarnations/${incarnation}/git/${match[1]}?${query}`;
      const method = req.method ?? "GET";
      const headers: Record<string, string> = await signedHeaders(upstream.secret, { method, path });
      for (const name of ["content-type", "accept", "git-protocol", "content-encoding"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const answer = await fetch(new URL(path, upstream.hostUrl), {
        method,
        headers,
        ...(method === "POST" ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
      } as RequestInit);
      res.writeHead(answer.status, {
        "content-type": answer.headers.get("content-type") ?? "application/octet-stream",
        "cache-control": "no-cache",
      });
      if (answer.body) Readable.fromWeb(answer.body as NodeReadableStream).pipe(res);
      else res.end();
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`stand-in git proxy failed: ${err.message}\n`);
    });
    return true;
  };
}
