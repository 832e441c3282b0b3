/**
 * The host's git endpoint, for the control plane's git proxy (`LocalSandboxProvider.gitUpstream`):
 * git smart HTTP over the mirror of one live sandbox's local repository.
 *
 *   GET  /v1/sessions/:session/incarnations/:incarnation/git/info/refs?service=git-upload-pack|git-receive-pack
 *   POST /v1/sessions/:session/incarnations/:incarnation/git/git-upload-pack|git-receive-pack
 *
 * Signed like every host call, except that the body is not part of the signing string (a pack is
 * streamed, up to MAX_GIT_REQUEST_BYTES, and cannot be hashed before it is sent); the control
 * plane puts a fresh `nonce` in the query instead, so every POST signs differently and a replay
 * is refused. The proxy checks the sandbox's token and the branch policy before it calls here.
 * Registered before the host's JSON body middleware, which would read the whole body as text.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Context, Env, Hono } from "hono";
import type { ReplayGuard } from "../auth/replay-guard";
import { verifySignedRequest } from "../auth/verify-signature";
import type { HostLogger } from "../log";
import { type GitService, isGitService, runGitService } from "../sandbox/git-service";
import type { SandboxManager } from "../sandbox/sandbox-manager";
import { HostError } from "./host-error";

export interface GitRouteDeps {
  manager: Pick<SandboxManager, "gitMirror">;
  secret: string;
  maxSkewS: number;
  guard: ReplayGuard;
  log: HostLogger;
  now: () => number;
}

const BASE = "/v1/sessions/:session/incarnations/:incarnation/git";

async function verify(c: Context, deps: GitRouteDeps): Promise<void> {
  const url = new URL(c.req.url);
  await verifySignedRequest(
    {
      method: c.req.method,
      pathWithQuery: `${url.pathname}${url.search}`,
      body: "",
      timestamp: c.req.header("x-nightshift-timestamp"),
      signature: c.req.header("x-nightshift-signature"),
    },
    { secret: deps.secret, maxSkewS: deps.maxSkewS, guard: deps.guard, nowMs: deps.now() },
  );
}

async function serve(c: Context, deps: GitRouteDeps, service: GitService, advertise: boolean) {
  const sessionId = c.req.param("session") ?? "";
  const mirror = deps.manager.gitMirror(sessionId, c.req.param("incarnation") ?? "");
  if (!mirror) {
    throw new HostError(
      "not_found",
      "no live sandbox of this session and incarnation serves a local repository on this host",
    );
  }
  const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as NodeReadableStream) : null;
  const answer = runGitService({
    service,
    repoPath: mirror.path,
    advertise,
    body: advertise ? null : body,
    gitProtocol: c.req.header("git-protocol"),
    contentEncoding: c.req.header("content-encoding"),
  });
  void answer.done.then((result) => {
    if (!result.ok)
      deps.log.warn("git.failed", { sessionId, service, advertise, stderr: result.stderr.slice(-300) });
    else if (service === "git-receive-pack" && !advertise) mirror.refsChanged();
  });
  return new Response(Readable.toWeb(answer.body) as ReadableStream, {
    status: 200,
    headers: {
      "content-type": answer.contentType,
      "cache-control": "no-cache, max-age=0, must-revalidate",
    },
  });
}

export function registerGitRoutes<E extends Env>(app: Hono<E>, deps: GitRouteDeps): void {
  app.get(`${BASE}/info/refs`, async (c) => {
    await verify(c, deps);
    const service = c.req.query("service");
    if (!isGitService(service)) {
      throw new HostError("invalid_request", "info/refs needs ?service=git-upload-pack or git-receive-pack");
    }
    return serve(c, deps, service, true);
  });
  app.post(`${BASE}/:service`, async (c) => {
    await verify(c, deps);
    const service = c.req.param("service");
    if (!isGitService(service)) throw new HostError("not_found", `no git service ${service.slice(0, 40)}`);
    return serve(c, deps, service, false);
  });
}
