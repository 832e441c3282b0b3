/**
 * /api/v1/tenants/:tenantId/automations: CRUD (the signing secret is in the create and
 * rotate-secret answers only), "run now", the payload tester (a dry run) and the run history.
 * Admins manage, members read (tenancy/route-policy.ts).
 */
import {
  AutomationInput,
  AutomationPatch,
  AutomationRotateSecretRequest,
  AutomationRunNowRequest,
  AutomationRunsQuery,
  AutomationTestRequest,
} from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import { manualRun, testAutomation } from "../automations/manual";
import * as automations from "../automations/service";
import { openDatabase } from "../db/client";
import { listRuns } from "../db/repositories/automation-runs";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf, queryOf } from "../http/validate";

/** A malformed id names no automation: the same 404 as an unknown one. */
const idParams = paramsOf(z.object({ id: z.string().regex(/^[0-9a-z]{26}$/) }), (raw) =>
  AppError.notFound(`automation ${raw.id ?? ""}`),
);

/** Secrets are in these bodies only: nothing between here and the caller may keep a copy. */
const NO_STORE = { "cache-control": "no-store" };

export const automationRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await automations.listAutomations(c.env, c.var.actor)))
  .post("/", jsonBody(AutomationInput), async (c) => {
    const created = await automations.createAutomation(c.env, c.var.actor, c.req.valid("json"));
    return c.json(created, 201, { ...NO_STORE, location: `automations/${created.automation.id}` });
  })
  .get("/:id", idParams, async (c) =>
    c.json(await automations.getAutomation(c.env, c.var.actor, c.req.valid("param").id)),
  )
  .patch("/:id", idParams, jsonBody(AutomationPatch), async (c) =>
    c.json(
      await automations.updateAutomation(c.env, c.var.actor, c.req.valid("param").id, c.req.valid("json")),
    ),
  )
  .delete("/:id", idParams, async (c) => {
    await automations.deleteAutomation(c.env, c.var.actor, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .post(
    "/:id/rotate-secret",
    idParams,
    jsonBody(AutomationRotateSecretRequest, { optional: true }),
    async (c) =>
      c.json(
        await automations.rotateSecret(c.env, c.var.actor, c.req.valid("param").id, c.req.valid("json")),
        200,
        NO_STORE,
      ),
  )
  .post("/:id/run", idParams, jsonBody(AutomationRunNowRequest, { optional: true }), async (c) => {
    const result = await manualRun(c.env, c.var.actor, c.req.valid("param").id, c.req.valid("json"));
    return c.json(result, result.sessionId ? 202 : 200);
  })
  .post("/:id/test", idParams, jsonBody(AutomationTestRequest), async (c) =>
    c.json(await testAutomation(c.env, c.var.actor, c.req.valid("param").id, c.req.valid("json"))),
  )
  .get("/:id/runs", idParams, queryOf(AutomationRunsQuery), async (c) => {
    const { id } = c.req.valid("param");
    const db = openDatabase(c.env.DB);
    await automations.requireAutomation(db, c.var.actor.tenantId, id);
    return c.json(await listRuns(db, c.var.actor.tenantId, id, c.req.valid("query")));
  });
