/** The Hono app: middleware (request id, body limit, actor), routes, and one error mapping. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env";
import { AppError } from "./http/app-error";
import { renderError } from "./http/error-handler";
import { requestId } from "./http/request-id";
import { healthRoutes } from "./routes/health";
import { sandboxRoutes } from "./routes/sandbox";
import { sessionRoutes } from "./routes/sessions";
import { resolveActor } from "./tenancy/actor";

const DEFAULT_MAX_BODY = 256 * 1024;

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId);
  app.use("*", async (c, next) => {
    const maxSize = Number(c.env.MAX_BODY_BYTES) || DEFAULT_MAX_BODY;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("payload_too_large", 413, `request body is larger than ${maxSize} bytes`);
      },
    })(c, next);
  });
  app.route("/api/v1/health", healthRoutes);
  // Sandboxes authenticate with their own token, not as users.
  app.route("/sandbox", sandboxRoutes);
  app.use("/api/v1/*", resolveActor);
  app.route("/api/v1/sessions", sessionRoutes);
  app.notFound((c) =>
    renderError(new AppError("not_found", 404, `no route for ${c.req.method} ${c.req.path}`), c),
  );
  app.onError(renderError);
  return app;
}
