/** /api/v1/tenants/:tenantId/github: the tenant's GitHub App installations (read, connect, disconnect). */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { paramsOf } from "../http/validate";
import * as github from "../integrations/github/connection";
import { readAuthConfig } from "../tenancy/auth-config";

/** Decimal digits only: `Number()` would also read "0x10" or "1e3" as some other installation. */
const installationParams = paramsOf(
  z.object({
    installationId: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/)
      .transform(Number)
      .pipe(z.number().max(Number.MAX_SAFE_INTEGER)),
  }),
  () => new AppError("invalid_request", "the installation id must be GitHub's positive numeric id"),
);

export const githubRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await github.getGithubConnection(c.env, c.var.actor)))
  .post("/connect", async (c) =>
    c.json(await github.startGithubConnect(c.env, c.var.actor, readAuthConfig(c.env).sessionKey)),
  )
  .delete("/installations/:installationId", installationParams, async (c) => {
    await github.disconnectInstallation(c.env, c.var.actor, c.req.valid("param").installationId);
    return c.body(null, 204);
  });
