/**
 * /api/v1/tenants/:tenantId/linear: the tenant's Linear workspace (read, install, uninstall) and
 * its team → repository mappings; /auth/linear/callback: Linear's OAuth redirect after an install
 * (a browser navigation that ends on Settings).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { openDatabase } from "../db/client";
import { deleteTeamRepository, setTeamRepository } from "../db/repositories/linear";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf, queryOf } from "../http/validate";
import {
  completeLinearInstall,
  disconnectLinear,
  getLinearConnection,
  readLinearInstallState,
  startLinearInstall,
} from "../integrations/linear/install";
import * as auth from "../services/auth";
import { readAuthConfig } from "../tenancy/auth-config";
import { siteOrigin } from "../tenancy/request-origin";
import { readSessionCookie, verifySessionToken } from "../tenancy/session-cookie";

function callbackUrl(c: Context<AppEnv>): string {
  return `${siteOrigin(readAuthConfig(c.env), c.req.raw)}/auth/linear/callback`;
}

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
    c.json(await startLinearInstall(c.env, c.var.actor, readAuthConfig(c.env).sessionKey, callbackUrl(c))),
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

const CallbackQuery = z.object({
  code: z.string().min(1).max(500).optional(),
  state: z.string().min(1).max(4_000).optional(),
  error: z.string().max(200).optional(),
});

function settingsRedirect(c: Context<AppEnv>, outcome: { ok: true } | { ok: false; message: string }) {
  const q = outcome.ok ? "linear=connected" : `linear=error&message=${encodeURIComponent(outcome.message)}`;
  return c.redirect(`/settings?${q}`, 302);
}

export const linearAuthRoutes = new Hono<AppEnv>().get(
  "/callback",
  queryOf(CallbackQuery, (error, c: Context<AppEnv>) =>
    settingsRedirect(c, { ok: false, message: error.message }),
  ),
  async (c) => {
    try {
      const query = c.req.valid("query");
      if (query.error || !query.code || !query.state)
        throw new AppError(
          "invalid_request",
          "Linear did not finish the install; start again from Settings → Linear",
        );
      const config = readAuthConfig(c.env);
      const claims = await readLinearInstallState(config.sessionKey, query.state);
      if (!claims)
        throw new AppError("invalid_request", "the connect link expired; start again from Settings → Linear");
      // The browser finishing the install must be signed in as the user who started it, so a
      // stranger's authorize link cannot bind a victim's Linear workspace to the stranger's tenant.
      const token = readSessionCookie(c);
      const session = token
        ? await verifySessionToken(config.sessionKey, token, Math.floor(Date.now() / 1000))
        : null;
      const liveUser = session ? await auth.liveSignInUser(c.env, session.sid) : null;
      if (session?.sub !== claims.userId || liveUser !== claims.userId)
        throw new AppError(
          "forbidden",
          "sign in to Nightshift as the user who started connecting Linear, then start again",
        );
      await completeLinearInstall(c.env, claims, query.code, callbackUrl(c));
      return settingsRedirect(c, { ok: true });
    } catch (error) {
      if (error instanceof AppError) return settingsRedirect(c, { ok: false, message: error.message });
      throw error;
    }
  },
);
