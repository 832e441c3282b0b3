/**
 * /api/v1/tenants/:tenantId/linear: the tenant's Linear workspace (read, install, uninstall), its
 * team → repository mappings, and a member binding their Linear account; /auth/linear/callback:
 * Linear's OAuth redirect after an install (a browser navigation that ends on Settings);
 * /api/v1/sessions/:id/linear-issue: the issue a Linear-started session answers.
 */
import { Hono } from "hono";
import { z } from "zod";
import { openDatabase } from "../db/client";
import { deleteTeamRepository, findSessionIssue, setTeamRepository } from "../db/repositories/linear";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf } from "../http/validate";
import { completeAccountLink } from "../integrations/linear/accounts";
import {
  completeLinearInstall,
  disconnectLinear,
  getLinearConnection,
  readLinearInstallState,
  startLinearInstall,
} from "../integrations/linear/install";
import { resumeLinearDelegation } from "../integrations/linear/router";
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

const LinkRequest = z.object({ token: z.string().min(1).max(4_000) });

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
  })
  .post("/link", jsonBody(LinkRequest), async (c) => {
    const actor = c.var.actor;
    const linked = await completeAccountLink(c.env, actor, c.req.valid("json").token);
    const { pending } = linked;
    if (pending) {
      const log = {
        info: (message: string) => console.log(JSON.stringify({ source: "linear-link", message })),
      };
      // The delegation that sent the link starts now, after the answer (Linear calls can be slow).
      c.executionCtx.waitUntil(
        resumeLinearDelegation(c.env, actor, { ...linked, pending }, log).catch((error: unknown) =>
          log.info(`resuming failed: ${error instanceof Error ? error.message : "unknown error"}`),
        ),
      );
    }
    return c.json({ organizationId: linked.organizationId, resumed: pending !== null });
  });

const sessionParams = paramsOf(
  z.object({ id: z.string().regex(/^[0-9a-z]{26}$/) }),
  () => new AppError("not_found", "no such session"),
);

/** GET /api/v1/sessions/:id/linear-issue: where in Linear a session was asked for (the dashboard links back). */
export const sessionLinearIssueRoutes = new Hono<AppEnv>().get(
  "/:id/linear-issue",
  sessionParams,
  async (c) => {
    const issue = await findSessionIssue(
      openDatabase(c.env.DB),
      c.var.actor.tenantId,
      c.req.valid("param").id,
    );
    if (!issue) throw new AppError("not_found", "this session was not started from Linear");
    // The URL came in a delivery signed by Linear; the dashboard still opens only http(s) links.
    return c.json({ issueId: issue.issueId, identifier: issue.issueIdentifier, url: issue.issueUrl });
  },
);

export const linearAuthRoutes = installCallbackRoutes({
  slug: "linear",
  providerName: "Linear",
  readState: readLinearInstallState,
  complete: completeLinearInstall,
});
