/** /api/v1/tenants/:tenantId/budget: the month's spend against the tenant's budget (members read). */
import { Hono } from "hono";
import { openDatabase } from "../db/client";
import type { AppEnv } from "../env";
import { tenantBudgetStatus } from "./month-budget";

export const budgetRoutes = new Hono<AppEnv>().get("/", async (c) =>
  c.json(await tenantBudgetStatus(c.env, openDatabase(c.env.DB), c.var.actor.tenantId, new Date())),
);
