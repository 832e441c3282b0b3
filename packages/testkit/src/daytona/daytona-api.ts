/**
 * The Daytona API double as one `fetch` handler (hono), so the same code answers in workerd (the
 * control plane's tests, where nothing can listen) and on 127.0.0.1 (the end-to-end stack, through
 * DAYTONA_API_URL). Wire format of Daytona v0.190.0: the REST API under `/api` (Bearer API key;
 * errors `{statusCode, timestamp, path, error, message}`; list paginated `{items, total, page,
 * totalPages}`), the toolbox under `/toolbox/{sandboxId}` (the toolbox proxy URL a sandbox names).
 */
import { Hono } from "hono";
import { z } from "zod";
import { HostRunner, type SandboxHostTarget } from "./host-runner";
import { CreateSandboxBody, type DaytonaSandbox, SandboxStore, type StateDelays } from "./sandbox-store";
import { addSnapshotRoutes } from "./snapshot-routes";
import { SnapshotStore } from "./snapshot-store";
import { type RuntimeFailure, Toolbox } from "./toolbox";

export const DEFAULT_RUNTIME_COMMAND = "node /opt/nightshift/runtime.mjs";

export interface DaytonaApiOptions {
  /** The API key a request must carry as `Authorization: Bearer`. */
  apiKey: string;
  /**
   * Snapshots that exist in the organization (active); a create naming another, or one not yet
   * active, is refused (400). Snapshots taken from sandboxes join them.
   */
  snapshots?: string[];
  delays?: Partial<StateDelays>;
  /** The command that starts the runtime in our snapshot; executing it runs one on the sandbox host. */
  runtimeCommand?: string;
  /** Largest page the list answers (Daytona's cap is 200); small values exercise pagination. */
  maxPageSize?: number;
  /** Where runtimes run; settable later (setSandboxHost) when the host starts after the double. */
  sandboxHost?: SandboxHostTarget;
  /**
   * "none": the runtime command is accepted and keeps running with nothing behind it (workerd
   * tests, where no runtime can run). Default "sandbox-host".
   */
  runtime?: "sandbox-host" | "none";
}

/** An answer injected in place of the next `calls` matching requests. */
export interface DaytonaFault {
  status: number;
  calls: number;
  /** Which requests it hits: creates only, or every API call (an outage). Default: every call. */
  only?: "create" | "all";
  /** Sent as Retry-After (429s). */
  retryAfterSeconds?: number;
  message?: string;
}

export interface RecordedDaytonaRequest {
  method: string;
  path: string;
  body: unknown;
  authorized: boolean;
  /** When it arrived (ms since the epoch): a bench reads the create path's timeline from these. */
  at: number;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const SessionBody = z.object({ sessionId: z.string().min(1) });
const ExecBody = z.object({
  command: z.string().min(1),
  runAsync: z.boolean().optional(),
  async: z.boolean().optional(),
  suppressInputEcho: z.boolean().optional(),
});

export interface DaytonaApi {
  fetch: (request: Request) => Promise<Response>;
  requests: RecordedDaytonaRequest[];
  store: SandboxStore;
  snapshots: SnapshotStore;
  injectFault(fault: DaytonaFault): void;
  /** Drops every injected fault still pending (Daytona is healthy again). */
  clearFaults(): void;
  /** Makes the runtime command exit at once with this (a broken snapshot); null restores it. */
  failRuntime(failure: RuntimeFailure | null): void;
  setSandboxHost(target: SandboxHostTarget): void;
  /** Ends every runtime still running and every pending state transition. */
  shutdown(): Promise<void>;
}

export function createDaytonaApi(options: DaytonaApiOptions): DaytonaApi {
  let hostTarget = options.sandboxHost ?? null;
  let runtimeFailure: RuntimeFailure | null = null;
  const faults: DaytonaFault[] = [];
  const requests: RecordedDaytonaRequest[] = [];
  const host = new HostRunner(() => hostTarget);
  const toolbox = new Toolbox(
    options.runtime === "none" ? null : host,
    options.runtimeCommand ?? DEFAULT_RUNTIME_COMMAND,
    () => runtimeFailure,
    (sandbox) => snapshots.find(sandbox.snapshot)?.hostRef ?? null,
  );
  const store = new SandboxStore(
    { startMs: 0, stopMs: 0, destroyMs: 0, snapshotMs: 0, ...options.delays },
    (sandbox) => void toolbox.stopAll(sandbox.id),
  );
  const snapshots = new SnapshotStore(options.snapshots ?? ["nightshift-sandbox"]);
  const maxPageSize = options.maxPageSize ?? 200;

  const app = new Hono<{ Variables: { json: unknown } }>();
  const error = (path: string, status: number, message: string, headers: Record<string, string> = {}) =>
    new Response(
      JSON.stringify({
        statusCode: status,
        timestamp: new Date().toISOString(),
        path,
        error: REASONS[status] ?? "Http Exception",
        message,
      }),
      { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } },
    );

  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const raw = await c.req.text();
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const authorized = c.req.header("authorization") === `Bearer ${options.apiKey}`;
    requests.push({
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      body,
      authorized,
      at: Date.now(),
    });
    const isCreate = c.req.method === "POST" && url.pathname === "/api/sandbox";
    const fault = faults.find((f) => f.calls > 0 && (f.only !== "create" || isCreate));
    if (fault) {
      fault.calls--;
      const message =
        fault.message ?? (fault.status === 429 ? "Too many requests" : "Service temporarily unavailable");
      return error(
        url.pathname,
        fault.status,
        message,
        fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {},
      );
    }
    if (!authorized) return error(url.pathname, 401, "Unauthorized");
    c.set("json", body);
    await next();
  });

  const toolboxUrl = (request: Request) => `${new URL(request.url).origin}/toolbox`;
  const found = (path: string, id: string): DaytonaSandbox | Response =>
    store.find(id) ?? error(path, 404, `Sandbox with ID or name ${id} not found`);

  app.post("/api/sandbox", (c) => {
    const path = new URL(c.req.url).pathname;
    const parsed = CreateSandboxBody.safeParse(c.get("json"));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return error(path, 400, `${issue?.path.join(".") || "body"} ${issue?.message ?? "is invalid"}`);
    }
    const snapshot = parsed.data.snapshot ?? "daytona-small";
    const known = snapshots.find(snapshot);
    if (!known) return error(path, 400, `Snapshot ${snapshot} not found`);
    if (known.state !== "active") return error(path, 400, `Snapshot ${snapshot} is not active`);
    if (parsed.data.cpu || parsed.data.memory || parsed.data.disk || parsed.data.gpu)
      return error(path, 400, "Cannot specify Sandbox resources when using a snapshot");
    return c.json(store.create(parsed.data, snapshot, toolboxUrl(c.req.raw)), 200);
  });

  app.get("/api/sandbox", (c) => {
    const path = new URL(c.req.url).pathname;
    let labels: Record<string, string> = {};
    const rawLabels = c.req.query("labels");
    if (rawLabels) {
      const parsed = z.record(z.string(), z.string()).safeParse(safeJson(rawLabels));
      if (!parsed.success) return error(path, 400, "labels must be a JSON object of strings");
      labels = parsed.data;
    }
    const page = Number(c.req.query("page") ?? "1");
    const limit = Number(c.req.query("limit") ?? "100");
    if (!Number.isInteger(page) || page < 1) return error(path, 400, "page must not be less than 1");
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      return error(path, 400, "limit must be between 1 and 200");
    const size = Math.min(limit, maxPageSize);
    const all = store.list(labels);
    return c.json({
      items: all.slice((page - 1) * size, page * size),
      total: all.length,
      page,
      totalPages: Math.max(1, Math.ceil(all.length / size)),
    });
  });

  app.get("/api/sandbox/:id", (c) => {
    const sandbox = found(new URL(c.req.url).pathname, c.req.param("id"));
    return sandbox instanceof Response ? sandbox : c.json(sandbox);
  });

  app.get("/api/sandbox/:id/toolbox-proxy-url", (c) => {
    const sandbox = found(new URL(c.req.url).pathname, c.req.param("id"));
    return sandbox instanceof Response ? sandbox : c.json({ url: sandbox.toolboxProxyUrl });
  });

  app.delete("/api/sandbox/:id", (c) => {
    const sandbox = found(new URL(c.req.url).pathname, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    if (sandbox.state !== "destroying") store.destroy(sandbox);
    return c.body(null, 200);
  });

  app.post("/api/sandbox/:id/stop", (c) => {
    const sandbox = found(new URL(c.req.url).pathname, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    store.stop(sandbox);
    return c.body(null, 200);
  });

  app.post("/api/sandbox/:id/start", (c) => {
    const sandbox = found(new URL(c.req.url).pathname, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    store.start(sandbox);
    return c.json(sandbox);
  });

  addSnapshotRoutes(app, {
    sandboxes: store,
    snapshots,
    snapshotMs: () => options.delays?.snapshotMs ?? 0,
    hostFiles: {
      take: async (sandboxId) => {
        const hostId = toolbox.runtimeHostId(sandboxId);
        return hostId && options.runtime !== "none" ? host.snapshot(hostId) : null;
      },
      forget: (ref) => host.forgetSnapshot(ref),
    },
    error,
  });

  /** The toolbox answers only for a started sandbox (its daemon runs inside it). */
  const running = (path: string, id: string): DaytonaSandbox | Response => {
    const sandbox = found(path, id);
    if (sandbox instanceof Response) return sandbox;
    return sandbox.state === "started" ? sandbox : error(path, 400, `Sandbox ${id} is not started`);
  };

  app.post("/toolbox/:id/process/session", (c) => {
    const path = new URL(c.req.url).pathname;
    const sandbox = running(path, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    const parsed = SessionBody.safeParse(c.get("json"));
    if (!parsed.success) return error(path, 400, "sessionId is required");
    if (!toolbox.createSession(sandbox.id, parsed.data.sessionId))
      return error(path, 409, `session ${parsed.data.sessionId} already exists`);
    return c.body(null, 201);
  });

  app.post("/toolbox/:id/process/session/:session/exec", async (c) => {
    const path = new URL(c.req.url).pathname;
    const sandbox = running(path, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    const parsed = ExecBody.safeParse(c.get("json"));
    if (!parsed.success) return error(path, 400, "command is required");
    if (!toolbox.hasSession(sandbox.id, c.req.param("session")))
      return error(path, 404, `session ${c.req.param("session")} not found`);
    const command = await toolbox.execute(sandbox, c.req.param("session"), parsed.data.command);
    if (parsed.data.runAsync || parsed.data.async) return c.json({ cmdId: command.id }, 202);
    return c.json({ cmdId: command.id, exitCode: command.exitCode ?? 0, output: command.output });
  });

  app.get("/toolbox/:id/process/session/:session/command/:command", async (c) => {
    const path = new URL(c.req.url).pathname;
    const sandbox = running(path, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    const command = await toolbox.command(sandbox.id, c.req.param("session"), c.req.param("command"));
    if (!command) return error(path, 404, `command ${c.req.param("command")} not found`);
    return c.json({
      id: command.id,
      command: command.command,
      ...(command.exitCode !== null ? { exitCode: command.exitCode } : {}),
    });
  });

  app.get("/toolbox/:id/process/session/:session/command/:command/logs", async (c) => {
    const path = new URL(c.req.url).pathname;
    const sandbox = running(path, c.req.param("id"));
    if (sandbox instanceof Response) return sandbox;
    const command = await toolbox.command(sandbox.id, c.req.param("session"), c.req.param("command"));
    if (!command) return error(path, 404, `command ${c.req.param("command")} not found`);
    const failed = command.exitCode !== null && command.exitCode !== 0;
    return c.json({
      output: command.output,
      stdout: failed ? "" : command.output,
      stderr: failed ? command.output : "",
    });
  });

  app.notFound((c) =>
    error(new URL(c.req.url).pathname, 404, `Cannot ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
  app.onError((err, c) => error(new URL(c.req.url).pathname, 500, err.message || "Internal server error"));

  return {
    fetch: async (request) => app.fetch(request),
    requests,
    store,
    snapshots,
    injectFault: (fault) => faults.push({ ...fault }),
    clearFaults: () => {
      faults.length = 0;
    },
    failRuntime: (failure) => {
      runtimeFailure = failure;
    },
    setSandboxHost: (target) => {
      hostTarget = target;
    },
    async shutdown() {
      store.clearTimers();
      snapshots.clearTimers();
      await Promise.allSettled(store.all().map((s) => toolbox.stopAll(s.id)));
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
