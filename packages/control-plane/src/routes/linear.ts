/**
 * /api/v1/tenants/:tenantId/linear: the tenant's Linear workspace (read, install, uninstall) and
 * its team → repository mappings; /auth/linear/callback: Linear's OAuth redirect after an install
 * (a browser navigation that ends on Settings).
 */
import { Hono } from "hono";
import { z } from "zod";
import { openDatabase } from "../db/client";
import { deleteTeamRepository, setTeamRepository } from "../db/repositories/linear";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf } from "../http/validate";
import {
  completeLinearInstall,
  disconnectLinear,
  getLinearConnection,
  readLinearInstallState,
  startLinearInstall,
} from "../integrations/linear/install";
import { readAuthConfig } from "../tenancy/auth-config";
import { installCallbackRoutes, installCallbackUrl } from "./install-callback";

const teamParams = paramsOf(
  z.object({ teamId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a Linear team id (a UUID)") }),
);

const TeamRepository = z.object({
  repository: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/repo, such as acme/web"),
});

export const linearRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await getLinearConnection(c.env, c.var.actor)))
  .post("/connect", async (c) =>
    c.json(
      await startLinearInstall(
        c.env,
        c.var.actor,
        readAuthConfig(c.env).sessionKey,
        installCallbackUrl(c, "linear"),
      ),
    ),
  )
  .delete("/", async (c) => {
    await disconnectLinear(c.env, c.var.actor);
    return c.body(null, 204);
  })
  .put("/teams/:teamId", teamParams, jsonBody(TeamRepository), async (c) => {
    const [owner = "", name = ""] = c.req.valid("json").repository.split("/");
    await setTeamRepository(openDatabase(c.env.DB), c.var.actor.tenantId, {
      teamId: c.req.valid("param").teamId,
      owner,
      name,
    });
    return c.json(await getLinearConnection(c.env, c.var.actor));
  })
  .delete("/teams/:teamId", teamParams, async (c) => {
    const teamId = c.req.valid("param").teamId;
    if (!(await deleteTeamRepository(openDatabase(c.env.DB), c.var.actor.tenantId, teamId)))
      throw new AppError("not_found", `team ${teamId} has no repository mapped`);
    return c.body(null, 204);
  });

export const linearAuthRoutes = installCallbackRoutes({
  slug: "linear",
  providerName: "Linear",
  readState: readLinearInstallState,
  complete: completeLinearInstall,
});
