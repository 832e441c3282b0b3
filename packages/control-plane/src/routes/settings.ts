/** /api/v1/tenants/:tenantId/settings: tenant settings (members read, owners and admins edit). */
import { PutEgressSettingsRequest } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { parseJsonBody } from "../http/validate";
import * as settings from "../services/settings";

export const settingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await settings.getTenantSettings(c.env, c.var.actor)))
  .put("/egress", async (c) => {
    const body = await parseJsonBody(c, PutEgressSettingsRequest);
    return c.json(await settings.putEgressSettings(c.env, c.var.actor, body));
  });
