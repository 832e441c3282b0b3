/**
 * The git proxy's front door: which repository and service a request is for, who is asking
 * (the sandbox token and the session's DO, in one call: git-caller.ts), whether that session may touch that
 * repository, and then a fetch passed straight through or a push handed to push.ts.
 * Every refusal is plain text, which git prints as `remote: …`.
 */
import type { Bindings } from "../env";
import { sandboxTokenOf } from "../sandbox-auth/sandbox-caller";
import { authenticateGitCaller } from "./git-caller";
import { isSessionRepo, parseGitPath, proxyRepoKey } from "./git-path";
import { handleReceivePack } from "./push";
import { auditPush } from "./push-audit";
import { BodyTooLarge, BudgetedReader } from "./request-body";
import { callUpstream } from "./upstream";

export const GIT_PROXY_PREFIX = "/sandbox/git/";
/** A push (a whole repository's pack on the first one) may be this large unless GIT_PROXY_MAX_PUSH_BYTES says otherwise. */
export const DEFAULT_MAX_PUSH_BYTES = 512 * 1024 * 1024;
/** Fetch negotiation (wants and haves) is small; this leaves room for deep histories. */
export const MAX_FETCH_REQUEST_BYTES = 32 * 1024 * 1024;

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache", ...headers },
  });
}

function pushLimit(env: Bindings): number {
  const configured = Number(env.GIT_PROXY_MAX_PUSH_BYTES);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_MAX_PUSH_BYTES;
}

export async function handleGitRequest(
  env: Bindings,
  request: Request,
  defer: (work: Promise<unknown>) => void,
): Promise<Response> {
  const url = new URL(request.url);
  const rest = url.pathname.startsWith(GIT_PROXY_PREFIX) ? url.pathname.slice(GIT_PROXY_PREFIX.length) : "";
  const parsed = parseGitPath(request.method, rest, url.searchParams.get("service"));
  if (!parsed.ok) return text(404, parsed.message);
  const { target } = parsed;

  if (!sandboxTokenOf(request.headers))
    return text(401, "the git proxy needs this session's sandbox token as the HTTP Basic password", {
      "www-authenticate": 'Basic realm="nightshift"',
    });
  const auth = await authenticateGitCaller(env, request.headers, target.repo);
  if (!auth.ok)
    return text(
      auth.status,
      auth.message,
      auth.status === 401 ? { "www-authenticate": 'Basic realm="nightshift"' } : {},
    );
  const { caller } = auth;
  if (!isSessionRepo(target.repo, caller.repo)) {
    const message = `this sandbox may use only its session's repository (${proxyRepoKey(caller.repo)}), not ${target.repo.slice(0, 300)}`;
    // A push aimed at another repository is stopped at its first request (info/refs): audit it there.
    if (target.service === "git-receive-pack")
      defer(
        auditPush(env, caller.tenantId, caller.sessionId, [
          { update: null, verdict: "refused", reason: message },
        ]).catch(() => undefined),
      );
    return text(403, message);
  }

  const method = request.method === "GET" ? "GET" : "POST";
  const call = {
    env,
    sessionId: caller.sessionId,
    tenantId: caller.tenantId,
    incarnation: auth.incarnation,
    credential: auth.credential,
    repo: caller.repo,
    target,
    method,
    headers: request.headers,
  } as const;

  if (target.endpoint === "rpc" && target.service === "git-receive-pack") {
    if (!request.body) return text(400, "push refused: the request has no body");
    const encoding = request.headers.get("content-encoding");
    if (encoding && encoding !== "identity")
      return text(415, "push refused: send the push uncompressed (the proxy reads its ref updates)");
    const limit = pushLimit(env);
    if (Number(request.headers.get("content-length") ?? 0) > limit)
      return text(413, `push refused: the request body is larger than ${limit} bytes`);
    return handleReceivePack({
      call,
      branch: caller.branch,
      allowForcePush: caller.allowForcePush,
      body: new BudgetedReader(request.body.getReader(), limit),
      defer,
    });
  }

  let body: ReadableStream<Uint8Array> | null = null;
  if (method === "POST" && request.body) {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_FETCH_REQUEST_BYTES)
      return text(413, `the fetch request is larger than ${MAX_FETCH_REQUEST_BYTES} bytes`);
    body = budgeted(request.body, MAX_FETCH_REQUEST_BYTES);
  }
  const upstream = await callUpstream({ ...call, body });
  return upstream.ok ? upstream.response : text(upstream.status, upstream.message);
}

function budgeted(source: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = new BudgetedReader(source.getReader(), limit);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      } catch (err) {
        controller.error(err instanceof BodyTooLarge ? err : new Error("the request body could not be read"));
      }
    },
    cancel: () => reader.cancel(),
  });
}
