/** /api/v1/repositories: what the new-session picker offers. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { listRepositories } from "../services/repositories";

export const repositoryRoutes = new Hono<AppEnv>().get("/", async (c) =>
  c.json(await listRepositories(c.env, c.var.actor)),
);
