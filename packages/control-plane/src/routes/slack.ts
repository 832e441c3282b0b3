/**
 * /api/v1/tenants/:tenantId/slack: the tenant's Slack workspace (read, install, uninstall), its
 * channel → repository defaults, and a member binding their Slack account; /auth/slack/callback:
 * Slack's OAuth redirect after an install (a browser navigation that ends on Settings).
 */

import { Hono } from "hono";
import { z } from "zod";
import { openDatabase } from "../db/client";
import {
  deleteChannelRepository,
  findSessionThread,
  findTenantSlackInstallation,
  setChannelRepository,
} from "../db/repositories/slack";
import type { Actor, AppEnv, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf } from "../http/validate";
import { completeAccountLink } from "../integrations/slack/accounts";
import {
  completeSlackInstall,
  disconnectSlack,
  getSlackConnection,
  readSlackInstallState,
  startSlackInstall,
} from "../integrations/slack/install";
import { readAuthConfig } from "../tenancy/auth-config";
import { installCallbackRoutes, installCallbackUrl } from "./install-callback";

const channelParams = paramsOf(
  z.object({ channelId: z.string().regex(/^[A-Z0-9]{1,32}$/, "a Slack channel id such as C0123ABCD") }),
);

const ChannelDefault = z.object({
  repository: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/repo, such as acme/web"),
});

const LinkRequest = z.object({ token: z.string().min(1).max(4_000) });

async function requireWorkspace(env: Bindings, actor: Actor): Promise<string> {
  const row = await findTenantSlackInstallation(openDatabase(env.DB), actor.tenantId);
  if (!row)
    throw new AppError("not_found", "no Slack workspace is connected to this tenant; connect one first");
  return row.teamId;
}

export const slackRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await getSlackConnection(c.env, c.var.actor)))
  .post("/connect", async (c) =>
    c.json(
      await startSlackInstall(
        c.env,
        c.var.actor,
        readAuthConfig(c.env).sessionKey,
        installCallbackUrl(c, "slack"),
      ),
    ),
  )
  .delete("/", async (c) => {
    await disconnectSlack(c.env, c.var.actor);
    return c.body(null, 204);
  })
  .put("/channels/:channelId", channelParams, jsonBody(ChannelDefault), async (c) => {
    const teamId = await requireWorkspace(c.env, c.var.actor);
    const [owner = "", name = ""] = c.req.valid("json").repository.split("/");
    await setChannelRepository(openDatabase(c.env.DB), c.var.actor.tenantId, {
      teamId,
      channelId: c.req.valid("param").channelId,
      owner,
      name,
    });
    return c.json(await getSlackConnection(c.env, c.var.actor));
  })
  .delete("/channels/:channelId", channelParams, async (c) => {
    const teamId = await requireWorkspace(c.env, c.var.actor);
    const channelId = c.req.valid("param").channelId;
    if (!(await deleteChannelRepository(openDatabase(c.env.DB), c.var.actor.tenantId, teamId, channelId)))
      throw new AppError("not_found", `channel ${channelId} has no default repository`);
    return c.body(null, 204);
  })
  .post("/link", jsonBody(LinkRequest), async (c) =>
    c.json(await completeAccountLink(c.env, c.var.actor, c.req.valid("json").token)),
  );

const sessionParams = paramsOf(
  z.object({ id: z.string().regex(/^[0-9a-z]{26}$/) }),
  () => new AppError("not_found", "no such session"),
);

/** GET /api/v1/sessions/:id/slack-thread: where in Slack a session was asked for (the dashboard links back). */
export const sessionSlackThreadRoutes = new Hono<AppEnv>().get(
  "/:id/slack-thread",
  sessionParams,
  async (c) => {
    const thread = await findSessionThread(
      openDatabase(c.env.DB),
      c.var.actor.tenantId,
      c.req.valid("param").id,
    );
    if (!thread) throw new AppError("not_found", "this session was not started from Slack");
    // Slack's web client opens a thread from the workspace, channel and thread ts alone.
    const url = `https://app.slack.com/client/${encodeURIComponent(thread.teamId)}/${encodeURIComponent(thread.channelId)}/thread/${encodeURIComponent(thread.channelId)}-${encodeURIComponent(thread.threadTs)}`;
    return c.json({ ...thread, url });
  },
);

export const slackAuthRoutes = installCallbackRoutes({
  slug: "slack",
  providerName: "Slack",
  readState: readSlackInstallState,
  complete: completeSlackInstall,
});
