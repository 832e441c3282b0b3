/** /api/v1/agents: the agent CLIs this deployment can run, with the tenant's defaults (any member). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { listAgents } from "../services/agent-choice";

export const agentRoutes = new Hono<AppEnv>().get("/", async (c) =>
  c.json(await listAgents(c.env, c.var.actor)),
);
