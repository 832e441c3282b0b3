/**
 * A double of a sandbox provider endpoint for control-plane unit tests in workerd, where no
 * sandbox can run: it checks the HMAC signature exactly as the real sandbox host does,
 * records what it was asked, answers create with a running SandboxInfo and starts nothing.
 * The real host (packages/sandbox-host) runs in the end-to-end suite.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import {
  hostSigningString,
  type LocalRepository,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  type SandboxInfo,
  signHostRequest,
} from "@nightshift/protocol";

export interface RecordedHostRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface RecordingSandboxHost {
  url: string;
  requests: RecordedHostRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Repositories whose path starts with this make the double answer like a full host (429) to the
 * first FULL_HOST_REFUSALS creates of each session, then accept: how tests meet a host that is
 * busy with something else.
 */
export const FULL_HOST_REPO_PREFIX = "host-full";
export const FULL_HOST_REFUSALS = 2;

export interface RecordingHostOptions {
  /** What GET /v1/repositories answers (default: one repository, "demo" on main). */
  repositories?: LocalRepository[];
}

export async function startRecordingSandboxHost(
  secret: string,
  options: RecordingHostOptions = {},
): Promise<RecordingSandboxHost> {
  const requests: RecordedHostRequest[] = [];
  let counter = 0;
  const refusals = new Map<string, number>();
  // Snapshot refs this double issued and has not deleted: a create from any other is a 404, as on the host.
  const snapshots = new Set<string>();
  let snapshotCounter = 0;
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const ts = String(req.headers[SANDBOX_HOST_TIMESTAMP_HEADER] ?? "");
    const expected = await signHostRequest(
      secret,
      hostSigningString(ts, req.method ?? "", req.url ?? "", raw),
    );
    if (req.headers[SANDBOX_HOST_SIGNATURE_HEADER] !== expected) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "unauthorized", message: "bad signature" } }));
      return;
    }
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    requests.push({ method: req.method ?? "", path: req.url ?? "", body });
    const repoPath = (body?.repo as { path?: unknown } | undefined)?.path;
    if (req.method === "POST" && typeof repoPath === "string" && repoPath.startsWith(FULL_HOST_REPO_PREFIX)) {
      const sessionId = String(body?.sessionId);
      const refused = refusals.get(sessionId) ?? 0;
      if (refused < FULL_HOST_REFUSALS) {
        refusals.set(sessionId, refused + 1);
        res.writeHead(429, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: {
              code: "too_many_sandboxes",
              message: "this host already runs 20 sandboxes; retry later",
            },
          }),
        );
        return;
      }
    }
    const snapshotOf = /^\/v1\/sandboxes\/[^/]+\/snapshots(\?|$)/.test(req.url ?? "");
    if (req.method === "POST" && snapshotOf) {
      const ref = `snap_${String(++snapshotCounter).padStart(26, "0")}`;
      snapshots.add(ref);
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ ref, bytes: 0, createdAt: new Date().toISOString() }));
      return;
    }
    const fromSnapshot = typeof body?.fromSnapshot === "string" ? body.fromSnapshot : null;
    if (
      req.method === "POST" &&
      req.url === "/v1/sandboxes" &&
      fromSnapshot &&
      !snapshots.has(fromSnapshot)
    ) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { code: "not_found", message: "no such snapshot for this tenant and repository" },
        }),
      );
      return;
    }
    if (req.method === "POST" && req.url === "/v1/sandboxes" && body) {
      const info: SandboxInfo = {
        id: `sbx-${++counter}`,
        sessionId: String(body.sessionId),
        incarnation: String(body.incarnation),
        state: "running",
        isolation: "process",
        pid: null,
        exitCode: null,
        createdAt: new Date().toISOString(),
        endedAt: null,
      };
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify(info));
      return;
    }
    if (req.method === "GET" && req.url === "/v1/repositories") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ repositories: options.repositories ?? [{ path: "demo", defaultBranch: "main" }] }),
      );
      return;
    }
    if (req.method === "DELETE") {
      const ref = /^\/v1\/snapshots\/([^/?]+)/.exec(req.url ?? "")?.[1];
      if (ref) snapshots.delete(ref);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "not_found", message: "no such route" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("recording sandbox host has no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
