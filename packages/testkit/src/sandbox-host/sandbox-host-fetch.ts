/**
 * The sandbox host's HTTP API (packages/sandbox-host/src/http/app.ts) as an in-process `fetch`,
 * for tests in workerd, where no server can listen: it checks the HMAC signature and the create
 * body as the host does, keeps the sandboxes it created, and answers an unknown or repeated
 * terminate the way the host does (404 for an id it never had, the ended sandbox otherwise).
 * `failing` and `unreachable` stand for a host that is down or refuses: every call gets that
 * status with the host's error envelope, or fails before any answer.
 */
import {
  CreateSandboxRequest,
  hostSigningString,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  type SandboxInfo,
  signHostRequest,
} from "@nightshift/protocol";

export type SandboxHostBehaviour =
  | { kind: "healthy" }
  /** Every call answers `status`, with `message` in the host's error envelope. */
  | { kind: "failing"; status: number; message: string }
  /** Every call fails as a dropped connection does. */
  | { kind: "unreachable" };

export interface SandboxHostFetch {
  fetch: typeof fetch;
  /** Requests that reached the host (a signed request counts even when it is refused). */
  requests: { method: string; path: string }[];
}

function errorBody(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

export function sandboxHostFetch(secret: string, behaviour: SandboxHostBehaviour): SandboxHostFetch {
  const requests: SandboxHostFetch["requests"] = [];
  const sandboxes = new Map<string, SandboxInfo>();
  let counter = 0;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = `${url.pathname}${url.search}`;
    const body = await request.text();
    requests.push({ method: request.method, path });
    if (behaviour.kind === "unreachable") throw new TypeError("Network connection lost.");
    if (behaviour.kind === "failing") return errorBody(behaviour.status, "failing", behaviour.message);
    const ts = request.headers.get(SANDBOX_HOST_TIMESTAMP_HEADER) ?? "";
    const expected = await signHostRequest(secret, hostSigningString(ts, request.method, path, body));
    if (request.headers.get(SANDBOX_HOST_SIGNATURE_HEADER) !== expected)
      return errorBody(401, "unauthorized", "bad signature");

    if (request.method === "POST" && url.pathname === "/v1/sandboxes") {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return errorBody(400, "invalid_json", "the body is not valid JSON");
      }
      const parsed = CreateSandboxRequest.safeParse(json);
      if (!parsed.success) return errorBody(400, "invalid_request", "invalid sandbox request");
      const info: SandboxInfo = {
        id: `sbx-${++counter}`,
        sessionId: parsed.data.sessionId,
        incarnation: parsed.data.incarnation,
        state: "running",
        isolation: "bubblewrap",
        network: "isolated",
        warnings: [],
        pid: 1000 + counter,
        exitCode: null,
        createdAt: new Date().toISOString(),
        endedAt: null,
      };
      sandboxes.set(info.id, info);
      return Response.json(info, { status: 201 });
    }
    const match = /^\/v1\/sandboxes\/([^/]+)$/.exec(url.pathname);
    if (request.method === "DELETE" && match) {
      const info = sandboxes.get(decodeURIComponent(match[1]!));
      if (!info) return errorBody(404, "not_found", "no such sandbox on this host");
      if (info.state === "running")
        Object.assign(info, { state: "terminated", exitCode: 143, endedAt: new Date().toISOString() });
      return Response.json(info);
    }
    return errorBody(404, "not_found", `no route for ${request.method} ${url.pathname}`);
  }

  return {
    requests,
    fetch: ((input: Request | string | URL, init?: RequestInit) =>
      handle(new Request(input, init))) as typeof fetch,
  };
}
