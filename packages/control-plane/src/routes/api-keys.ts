/** /api/v1/tenants/:tenantId/api-keys: create (shown once), list, revoke. */
import { CreateApiKeyRequest } from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf } from "../http/validate";
import * as apiKeys from "../services/api-keys";

/** A malformed id names no key: the same 404 as an unknown one. */
const keyParams = paramsOf(z.object({ keyId: z.string().regex(/^[0-9a-z]{26}$/) }), (raw) =>
  AppError.notFound(`API key ${raw.keyId ?? ""}`),
);

export const apiKeyRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await apiKeys.listApiKeys(c.env, c.var.actor)))
  .post("/", jsonBody(CreateApiKeyRequest), async (c) => {
    const created = await apiKeys.createApiKey(c.env, c.var.actor, c.req.valid("json"));
    // The key is in this body only: make sure nothing between here and the caller keeps a copy.
    return c.json(created, 201, { "cache-control": "no-store" });
  })
  .delete("/:keyId", keyParams, async (c) => {
    return c.json(await apiKeys.revokeApiKey(c.env, c.var.actor, c.req.valid("param").keyId));
  });
