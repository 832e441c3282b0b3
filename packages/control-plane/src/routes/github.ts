/** /api/v1/tenants/:tenantId/github: the tenant's GitHub App installations (read, connect, disconnect). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import * as github from "../services/github-connection";
import { readAuthConfig } from "../tenancy/auth-config";

function installationParam(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new AppError("invalid_request", "the installation id must be GitHub's positive numeric id");
  return id;
}

export const githubRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await github.getGithubConnection(c.env, c.var.actor)))
  .post("/connect", async (c) =>
    c.json(await github.startGithubConnect(c.env, c.var.actor, readAuthConfig(c.env).sessionKey)),
  )
  .delete("/installations/:installationId", async (c) => {
    await github.disconnectInstallation(c.env, c.var.actor, installationParam(c.req.param("installationId")));
    return c.body(null, 204);
  });
