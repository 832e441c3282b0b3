/** /api/v1/tenants/:tenantId/api-keys: create (shown once), list, revoke. */
import { CreateApiKeyRequest } from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { parseJsonBody } from "../http/validate";
import * as apiKeys from "../services/api-keys";

const KeyId = z.string().regex(/^[0-9a-z]{26}$/);

export const apiKeyRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await apiKeys.listApiKeys(c.env, c.var.actor)))
  .post("/", async (c) => {
    const body = await parseJsonBody(c, CreateApiKeyRequest);
    const created = await apiKeys.createApiKey(c.env, c.var.actor, body);
    // The key is in this body only: make sure nothing between here and the caller keeps a copy.
    return c.json(created, 201, { "cache-control": "no-store" });
  })
  .delete("/:keyId", async (c) => {
    const keyId = c.req.param("keyId");
    if (!KeyId.safeParse(keyId).success) throw AppError.notFound(`API key ${keyId.slice(0, 64)}`);
    return c.json(await apiKeys.revokeApiKey(c.env, c.var.actor, keyId));
  });
