/**
 * A double of OUR Modal app (packages/modal-app) as one `fetch` handler (hono), so the same code
 * answers in workerd (the control plane's tests) and on 127.0.0.1 (the end-to-end stack, through
 * MODAL_APP_URL). Same paths, JSON shapes and status codes as the app; Modal's proxy auth in
 * front of it (Modal-Key / Modal-Secret, 401 in Modal's words otherwise); simulated provider time
 * per operation; injectable failures (429 quota, 5xx outages). Each sandbox's runtime runs on the
 * local sandbox host with exactly the env Modal was given.
 */
import { Hono } from "hono";
import { HostSandboxes, type ModalSandboxHost } from "./host-sandboxes";
import {
  InvalidRequest,
  parseCreate,
  parseLabelFilter,
  parseSnapshotPurpose,
  REQUIRED_LABELS,
  SANDBOX_ID,
  snapshotName,
} from "./modal-app-requests";

export type ModalSandboxState = "running" | "exited" | "terminated" | "timed_out";
export type ModalRoute =
  | "create"
  | "status"
  | "terminate"
  | "list"
  | "snapshot"
  | "list-snapshots"
  | "delete-snapshot";

export interface ModalAppSandbox {
  id: string;
  state: ModalSandboxState;
  exitCode: number | null;
  labels: Record<string, string>;
  allowHosts: string[];
  /** The names of the env the sandbox was created with (values stay out of inspection). */
  envNames: string[];
  fromSnapshot: string | null;
  /** The sandbox host's id of the runtime, null when the double runs none. */
  hostId: string | null;
  isolation: string;
}

/** A snapshot as the app's registry keeps it. */
export interface ModalSnapshotRecord {
  id: string;
  /** `nightshift-<purpose>-<deployment tag>-<session>-<time>`, from the sandbox's labels. */
  name: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Simulated Modal time before each answer (what Modal itself would take), in ms. */
export interface ModalDelays {
  createMs: number;
  terminateMs: number;
  snapshotMs: number;
}

/** An answer injected in place of the next `calls` matching requests. */
export interface ModalFault {
  status: number;
  calls: number;
  /** Which requests it hits; default every call (an outage). */
  only?: ModalRoute | "all";
  message?: string;
}

export interface ModalProxyToken {
  id: string;
  secret: string;
}

export interface ModalAppApiOptions {
  /** The workspace Proxy Auth Token a request must carry as Modal-Key / Modal-Secret. */
  proxyToken: ModalProxyToken;
  delays?: Partial<ModalDelays>;
  /** Where runtimes run; null (or unset) runs none: sandboxes simply "run" (workerd tests). */
  sandboxHost?: ModalSandboxHost | null;
}

export interface RecordedModalRequest {
  method: string;
  path: string;
  body: unknown;
  authorized: boolean;
  /** When it arrived (ms since the epoch): a bench reads the create path's timeline from these. */
  at: number;
}

export interface ModalAppApi {
  fetch: (request: Request) => Promise<Response>;
  requests: RecordedModalRequest[];
  sandboxes(): ModalAppSandbox[];
  snapshots(): string[];
  /** The app's registry of the snapshots it took (what GET /v1/snapshots lists). */
  snapshotRecords(): ModalSnapshotRecord[];
  /** Backdates a snapshot's record (a sweep judges age); false when there is none. */
  setSnapshotCreatedAt(id: string, createdAt: number): boolean;
  injectFault(fault: ModalFault): void;
  clearFaults(): void;
  setSandboxHost(target: ModalSandboxHost | null): void;
  /** The sandbox disappears behind Nightshift's back (Modal's lifetime ran out, an operator). */
  vanish(id: string): Promise<void>;
  /** Ends every runtime still running. */
  shutdown(): Promise<void>;
}

const CODES: Record<number, string> = {
  400: "invalid_request",
  404: "not_found",
  409: "conflict",
  429: "rate_limited",
  500: "internal",
  502: "upstream_failed",
  503: "upstream_unavailable",
  504: "upstream_timeout",
};

function routeOf(method: string, path: string): ModalRoute | null {
  if (path === "/v1/sandboxes") return method === "POST" ? "create" : "list";
  if (/^\/v1\/sandboxes\/[^/]+\/snapshots$/.test(path)) return "snapshot";
  if (path === "/v1/snapshots") return "list-snapshots";
  if (/^\/v1\/snapshots\/[^/]+$/.test(path)) return "delete-snapshot";
  if (/^\/v1\/sandboxes\/[^/]+$/.test(path)) return method === "DELETE" ? "terminate" : "status";
  return null;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

function randomId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 22);
}

export function createModalAppApi(options: ModalAppApiOptions): ModalAppApi {
  let hostTarget = options.sandboxHost ?? null;
  const host = new HostSandboxes(() => hostTarget);
  const delays: ModalDelays = { createMs: 0, terminateMs: 0, snapshotMs: 0, ...options.delays };
  const faults: ModalFault[] = [];
  const requests: RecordedModalRequest[] = [];
  const sandboxes = new Map<string, ModalAppSandbox>();
  /** Snapshot id → the host snapshot holding its files (null: none, e.g. no host runs the runtimes). */
  const snapshots = new Map<string, string | null>();
  const records = new Map<string, ModalSnapshotRecord>();

  const failure = (status: number, message: string) =>
    Response.json({ error: { code: CODES[status] ?? "internal", message } }, { status });
  const view = (s: ModalAppSandbox) => ({ id: s.id, state: s.state, exitCode: s.exitCode, labels: s.labels });
  // The real app says "gvisor"; the double says what actually isolates the runtime on this machine.
  const created = (s: ModalAppSandbox) => ({
    ...view(s),
    isolation: s.isolation,
    warnings: [],
    fromSnapshot: s.fromSnapshot,
  });

  async function refresh(sandbox: ModalAppSandbox): Promise<void> {
    if (sandbox.state !== "running" || !sandbox.hostId) return;
    const now = await host.state(sandbox.hostId);
    if (now.state === "running") return;
    sandbox.state = now.state === "terminated" ? "terminated" : "exited";
    sandbox.exitCode = now.exitCode;
  }

  const app = new Hono<{ Variables: { json: unknown } }>();

  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const raw = await c.req.text();
    let body: unknown = null;
    let parsedOk = true;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      parsedOk = false;
    }
    const key = c.req.header("modal-key");
    const secret = c.req.header("modal-secret");
    const authorized = key === options.proxyToken.id && secret === options.proxyToken.secret;
    requests.push({
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      body,
      authorized,
      at: Date.now(),
    });
    // Modal's own edge answers these, in its words and as text, before the app runs.
    if (!key || !secret) return c.text("modal-http: missing credentials for proxy authorization", 401);
    if (!authorized) return c.text("modal-http: invalid credentials for proxy authorization", 401);
    const route = routeOf(c.req.method, url.pathname);
    const fault = faults.find((f) => f.calls > 0 && (!f.only || f.only === "all" || f.only === route));
    if (fault) {
      fault.calls -= 1;
      return failure(fault.status, fault.message ?? `injected failure (HTTP ${fault.status})`);
    }
    if (!parsedOk) return failure(400, "the body is not valid JSON");
    c.set("json", body);
    await next();
  });

  app.get("/v1/health", (c) => c.json({ ok: true }));

  app.post("/v1/sandboxes", async (c) => {
    const request = parseCreate(c.get("json"));
    if (request.snapshotId && !snapshots.has(request.snapshotId))
      return failure(404, "finding the snapshot: Modal does not know this sandbox or snapshot");
    await sleep(delays.createMs);
    const incarnation = request.labels["nightshift.incarnation"];
    // The app names a sandbox after its incarnation: a retried create answers the first one.
    for (const existing of sandboxes.values()) {
      if (existing.labels["nightshift.incarnation"] !== incarnation) continue;
      await refresh(existing);
      if (existing.state === "running") return c.json(created(existing), 201);
    }
    let started: { id: string; isolation: string } | null;
    try {
      started = await host.start({
        sessionId: request.labels["nightshift.session"] ?? "",
        incarnation: incarnation ?? "",
        env: request.env,
        allowHosts: request.allowHosts,
        ...(request.labels["nightshift.tenant"] ? { tenantId: request.labels["nightshift.tenant"] } : {}),
        ...(request.snapshotId && snapshots.get(request.snapshotId)
          ? { fromSnapshot: snapshots.get(request.snapshotId) as string }
          : {}),
      });
    } catch (err) {
      return failure(503, `creating the sandbox: ${(err as Error).message}`);
    }
    const sandbox: ModalAppSandbox = {
      id: `sb-${randomId()}`,
      state: "running",
      exitCode: null,
      labels: request.labels,
      allowHosts: request.allowHosts,
      envNames: Object.keys(request.env).sort(),
      fromSnapshot: request.snapshotId,
      hostId: started?.id ?? null,
      isolation: started?.isolation ?? "gvisor",
    };
    sandboxes.set(sandbox.id, sandbox);
    return c.json(created(sandbox), 201);
  });

  app.get("/v1/sandboxes", async (c) => {
    const wanted = parseLabelFilter(new URL(c.req.url).searchParams);
    const found = [];
    for (const sandbox of sandboxes.values()) {
      await refresh(sandbox);
      if (sandbox.state !== "running") continue;
      if (Object.entries(wanted).every(([k, v]) => sandbox.labels[k] === v)) found.push(view(sandbox));
    }
    return c.json({ sandboxes: found, truncated: false });
  });

  const known = (id: string): ModalAppSandbox => {
    // An id no Modal sandbox can have is a 404 like any unknown one (as the app answers).
    const sandbox = SANDBOX_ID.test(id) ? sandboxes.get(id) : undefined;
    if (!sandbox || !REQUIRED_LABELS.every((l) => l in sandbox.labels)) throw new NotFound(id);
    return sandbox;
  };

  app.get("/v1/sandboxes/:id", async (c) => {
    const sandbox = known(c.req.param("id"));
    await refresh(sandbox);
    return c.json(view(sandbox));
  });

  app.delete("/v1/sandboxes/:id", async (c) => {
    const sandbox = known(c.req.param("id"));
    await sleep(delays.terminateMs);
    await refresh(sandbox);
    if (sandbox.state === "running") {
      if (sandbox.hostId) await host.stop(sandbox.hostId);
      sandbox.state = "terminated";
      sandbox.exitCode = 137;
    }
    return c.json({ ...view(sandbox), state: "terminated", exitCode: null });
  });

  app.post("/v1/sandboxes/:id/snapshots", async (c) => {
    const sandbox = known(c.req.param("id"));
    await refresh(sandbox);
    if (sandbox.state !== "running")
      return failure(
        409,
        "snapshotting the sandbox's filesystem: Modal refused the request: it conflicts with the sandbox's state",
      );
    const purpose = parseSnapshotPurpose(c.get("json"));
    await sleep(delays.snapshotMs);
    const snapshotId = `im-${randomId()}`;
    // The files come along, as Modal's filesystem snapshot keeps them (the host copies the workdir).
    snapshots.set(snapshotId, sandbox.hostId ? await host.snapshot(sandbox.hostId).catch(() => null) : null);
    const now = Date.now();
    const name = await snapshotName(purpose, sandbox.labels, sandbox.id, now);
    records.set(snapshotId, { id: snapshotId, name, createdAt: now });
    return c.json({ sandboxId: sandbox.id, snapshotId, name }, 201);
  });

  app.get("/v1/snapshots", (c) =>
    c.json({
      snapshots: [...records.values()].map((r) => ({
        id: r.id,
        name: r.name,
        createdAt: new Date(r.createdAt).toISOString(),
      })),
      truncated: false,
    }),
  );

  app.delete("/v1/snapshots/:id", async (c) => {
    const id = c.req.param("id");
    // Only images the app took (its registry) are ever deleted: others in the workspace are a 404.
    if (!records.has(id)) return failure(404, `snapshot ${id} was not found (it may have been deleted)`);
    const files = snapshots.get(id);
    records.delete(id);
    snapshots.delete(id);
    if (files) await host.forgetSnapshot(files);
    return c.json({ id, deleted: true });
  });

  const wrongMethod = (allowed: string) => () =>
    Response.json(
      { error: { code: "method_not_allowed", message: `this path accepts ${allowed}` } },
      { status: 405 },
    );
  app.all("/v1/health", wrongMethod("GET"));
  app.all("/v1/sandboxes", wrongMethod("GET and POST"));
  app.all("/v1/sandboxes/:id/snapshots", wrongMethod("POST"));
  app.all("/v1/sandboxes/:id", wrongMethod("GET and DELETE"));
  app.all("/v1/snapshots", wrongMethod("GET"));
  app.all("/v1/snapshots/:id", wrongMethod("DELETE"));
  app.notFound((c) => failure(404, `no such endpoint: ${c.req.method} ${new URL(c.req.url).pathname}`));

  class NotFound extends Error {
    constructor(id: string) {
      super(`sandbox ${id} was not found (it may have ended or never existed)`);
    }
  }
  app.onError((err) => {
    if (err instanceof NotFound) return failure(404, err.message);
    if (err instanceof InvalidRequest) return failure(400, err.message);
    return failure(500, "the Modal app failed unexpectedly; see its logs");
  });

  return {
    fetch: async (request) => app.fetch(request),
    requests,
    sandboxes: () => [...sandboxes.values()].map((s) => ({ ...s })),
    snapshots: () => [...snapshots.keys()],
    snapshotRecords: () => [...records.values()].map((r) => ({ ...r })),
    setSnapshotCreatedAt(id, createdAt) {
      const record = records.get(id);
      if (!record) return false;
      record.createdAt = createdAt;
      return true;
    },
    injectFault: (fault) => faults.push({ ...fault }),
    clearFaults: () => {
      faults.length = 0;
    },
    setSandboxHost: (target) => {
      hostTarget = target;
    },
    async vanish(id) {
      const sandbox = sandboxes.get(id);
      if (!sandbox) return;
      sandboxes.delete(id);
      if (sandbox.hostId && sandbox.state === "running") await host.stop(sandbox.hostId);
    },
    async shutdown() {
      for (const sandbox of sandboxes.values()) {
        if (sandbox.state === "running" && sandbox.hostId)
          await host.stop(sandbox.hostId).catch(() => undefined);
        if (sandbox.state === "running") sandbox.state = "terminated";
      }
    },
  };
}
