/** GET /api/v1/me: who the caller is and which tenants they may act in (no tenant needed). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { describeCaller } from "../services/me";

export const meRoutes = new Hono<AppEnv>().get("/", async (c) =>
  c.json(await describeCaller(c.env, c.var.principal)),
);
