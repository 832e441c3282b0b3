/**
 * The host's HTTP API (packages/protocol/src/sandbox-host.ts): every route under /v1 except
 * /v1/health is HMAC-signed. Routes parse with zod, call the manager and map the result;
 * errors are `{error:{code,message}}` with the right status, never a stack trace.
 */
import {
  CreateSandboxRequest,
  type ErrorBody,
  errorStatus,
  type ListLocalRepositoriesResponse,
} from "@nightshift/protocol";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ReplayGuard } from "../auth/replay-guard";
import { verifySignedRequest } from "../auth/verify-signature";
import type { HostLogger } from "../log";
import { listLocalRepositories } from "../sandbox/repo-catalog";
import type { SandboxManager } from "../sandbox/sandbox-manager";
import { registerGitRoutes } from "./git-routes";
import { HostError } from "./host-error";
import { registerSnapshotRoutes } from "./snapshot-routes";

export interface HostAppDeps {
  manager: SandboxManager;
  /** The local repositories root, listed by GET /v1/repositories. */
  reposRoot?: string | undefined;
  secret: string;
  maxSkewS: number;
  maxBodyBytes: number;
  guard: ReplayGuard;
  log: HostLogger;
  version: string;
  now?: () => number;
}

type Env = { Variables: { rawBody: string } };

function errorBody(
  code: ErrorBody["error"]["code"],
  message: string,
  issues?: ErrorBody["error"]["issues"],
): ErrorBody {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

export function createHostApp(deps: HostAppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const now = deps.now ?? Date.now;

  app.use("*", async (c, next) => {
    const started = Date.now();
    await next();
    deps.log.info("http.request", {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      ms: Date.now() - started,
    });
  });

  app.get("/v1/health", (c) =>
    c.json({
      ok: true,
      version: deps.version,
      time: new Date(now()).toISOString(),
      isolation: deps.manager.isolation.kind,
      ...(deps.manager.isolation.kind === "process" ? { isolationNote: deps.manager.isolation.reason } : {}),
      network: deps.manager.network,
      warnings: deps.manager.warnings,
      sandboxes: deps.manager.runningCount,
    }),
  );

  // Before the JSON body middleware below: git bodies are streamed packs, signed without their body.
  registerGitRoutes(app, { ...deps, now });

  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) =>
        c.json(
          errorBody("payload_too_large", `request bodies are limited to ${deps.maxBodyBytes} bytes`),
          errorStatus("payload_too_large"),
        ),
    }),
  );

  app.use("/v1/*", async (c, next) => {
    const body = await c.req.text();
    const url = new URL(c.req.url);
    await verifySignedRequest(
      {
        method: c.req.method,
        pathWithQuery: `${url.pathname}${url.search}`,
        body,
        timestamp: c.req.header("x-nightshift-timestamp"),
        signature: c.req.header("x-nightshift-signature"),
      },
      { secret: deps.secret, maxSkewS: deps.maxSkewS, guard: deps.guard, nowMs: now() },
    );
    c.set("rawBody", body);
    await next();
  });

  app.post("/v1/sandboxes", async (c) => {
    let json: unknown;
    try {
      json = JSON.parse(c.get("rawBody"));
    } catch {
      throw new HostError("invalid_json", "the body is not valid JSON");
    }
    const parsed = CreateSandboxRequest.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
      }));
      const first = issues[0];
      return c.json(
        errorBody(
          "invalid_request",
          `invalid sandbox request${first ? `: ${first.path || "body"}: ${first.message}` : ""}`,
          issues,
        ),
        errorStatus("invalid_request"),
      );
    }
    const info = await deps.manager.create(parsed.data);
    return c.json(deps.manager.view(info), 201);
  });

  app.get("/v1/repositories", (c) =>
    c.json({ repositories: listLocalRepositories(deps.reposRoot) } satisfies ListLocalRepositoriesResponse),
  );

  app.get("/v1/sandboxes", (c) =>
    c.json({ sandboxes: deps.manager.list().map((info) => deps.manager.view(info)) }),
  );

  app.get("/v1/sandboxes/:id", (c) => {
    const info = deps.manager.get(c.req.param("id"));
    if (!info) throw new HostError("not_found", "no such sandbox on this host");
    return c.json(deps.manager.view(info));
  });

  app.delete("/v1/sandboxes/:id", async (c) => {
    const info = await deps.manager.terminate(c.req.param("id"));
    if (!info) throw new HostError("not_found", "no such sandbox on this host");
    return c.json(deps.manager.view(info));
  });

  registerSnapshotRoutes(app, deps);

  app.notFound((c) =>
    c.json(
      errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`),
      errorStatus("not_found"),
    ),
  );

  app.onError((err, c) => {
    if (err instanceof HostError) return c.json(errorBody(err.code, err.message), err.status);
    deps.log.error("http.error", { path: new URL(c.req.url).pathname, message: err.message });
    return c.json(errorBody("internal", "the sandbox host failed; see its log"), errorStatus("internal"));
  });

  return app;
}
