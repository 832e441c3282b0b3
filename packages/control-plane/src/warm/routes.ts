/** /api/v1/tenants/:tenantId/warm-start: warm start per repository (members read, admins edit and rebuild). */
import { PutWarmStartRequest, RebuildWarmStartRequest } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/validate";
import { getWarmStart, rebuildWarmStart, setWarmStart } from "./warm-service";

export const warmStartRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await getWarmStart(c.env, c.var.actor)))
  .put("/", jsonBody(PutWarmStartRequest), async (c) =>
    c.json(await setWarmStart(c.env, c.var.actor, c.req.valid("json"))),
  )
  .post("/rebuild", jsonBody(RebuildWarmStartRequest), async (c) =>
    c.json(await rebuildWarmStart(c.env, c.var.actor, c.req.valid("json")), 202),
  );
