import type { Health } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";

export const VERSION = "0.1.0";

export const healthRoutes = new Hono<AppEnv>().get("/", (c) =>
  c.json({ ok: true, version: VERSION, time: new Date().toISOString() } satisfies Health),
);
