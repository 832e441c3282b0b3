/** /api/v1/tenants/:tenantId/settings: tenant settings (members read, owners and admins edit). */
import {
  AgentDefaults,
  BudgetSettings,
  ModelSettings,
  PutEgressSettingsRequest,
  SandboxSettings,
} from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/validate";
import * as gatewaySettings from "../model-gateway/tenant-settings";
import * as agentChoice from "../services/agent-choice";
import * as sandboxSettings from "../services/sandbox-settings";
import * as settings from "../services/settings";

export const settingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await settings.getTenantSettings(c.env, c.var.actor)))
  .put("/egress", jsonBody(PutEgressSettingsRequest), async (c) => {
    return c.json(await settings.putEgressSettings(c.env, c.var.actor, c.req.valid("json")));
  })
  // The model gateway's upstream base URLs and spend caps (owners and admins only, reads too).
  .get("/model", async (c) => c.json(await gatewaySettings.getModelSettings(c.env, c.var.actor)))
  .put("/model", jsonBody(ModelSettings), async (c) => {
    return c.json(await gatewaySettings.setModelSettings(c.env, c.var.actor, c.req.valid("json")));
  })
  .get("/budget", async (c) => c.json(await gatewaySettings.getBudgetSettings(c.env, c.var.actor)))
  .put("/budget", jsonBody(BudgetSettings), async (c) => {
    return c.json(await gatewaySettings.setBudgetSettings(c.env, c.var.actor, c.req.valid("json")));
  })
  // Which sandbox provider runs the tenant's sessions (members read, owners and admins edit).
  .get("/sandbox", async (c) => c.json(await sandboxSettings.getSandboxSettings(c.env, c.var.actor)))
  .put("/sandbox", jsonBody(SandboxSettings), async (c) => {
    return c.json(await sandboxSettings.setSandboxSettings(c.env, c.var.actor, c.req.valid("json")));
  })
  // The default agent and default model per agent (members read, owners and admins edit).
  .get("/agents", async (c) => c.json(await agentChoice.getAgentDefaults(c.env, c.var.actor)))
  .put("/agents", jsonBody(AgentDefaults), async (c) => {
    return c.json(await agentChoice.setAgentDefaults(c.env, c.var.actor, c.req.valid("json")));
  });
