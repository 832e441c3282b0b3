/**
 * Model accounts. `/api/v1/me/model-accounts` (also under `/api/v1/tenants/:tenantId/me/...`):
 * the caller's own accounts in the current tenant. `/api/v1/tenants/:tenantId/settings/model-accounts`:
 * the tenant's (members list them, owners and admins write; `?repo=` for one repository's).
 * Values are write-only: answers carry the provider, kind and a masked hint.
 */
import {
  ModelProvider,
  PutModelAccountRequest,
  PutTenantModelAccountRequest,
  TenantModelAccountQuery,
} from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf, queryOf } from "../http/validate";
import * as tenantAccounts from "../model-accounts/tenant-accounts";
import * as userAccounts from "../model-accounts/user-accounts";

const providerParams = paramsOf(
  z.object({ provider: ModelProvider }),
  (raw) =>
    new AppError(
      "invalid_request",
      `no model provider '${raw.provider ?? ""}': use ${ModelProvider.options.join(", ")}`,
    ),
);

export const myModelAccountRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await userAccounts.listMyAccounts(c.env, c.var.actor)))
  .put("/:provider", providerParams, jsonBody(PutModelAccountRequest), async (c) => {
    const { provider } = c.req.valid("param");
    const result = await userAccounts.putMyAccount(c.env, c.var.actor, provider, c.req.valid("json"));
    return c.json(result.account, result.created ? 201 : 200);
  })
  .delete("/:provider", providerParams, async (c) => {
    await userAccounts.deleteMyAccount(c.env, c.var.actor, c.req.valid("param").provider);
    return c.body(null, 204);
  });

export const tenantModelAccountRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await tenantAccounts.listTenantAccounts(c.env, c.var.actor)))
  .put(
    "/:provider",
    providerParams,
    queryOf(TenantModelAccountQuery),
    jsonBody(PutTenantModelAccountRequest),
    async (c) => {
      const result = await tenantAccounts.putTenantAccount(
        c.env,
        c.var.actor,
        c.req.valid("param").provider,
        c.req.valid("query"),
        c.req.valid("json"),
      );
      return c.json(result.account, result.created ? 201 : 200);
    },
  )
  .delete("/:provider", providerParams, queryOf(TenantModelAccountQuery), async (c) => {
    const { provider } = c.req.valid("param");
    await tenantAccounts.deleteTenantAccount(c.env, c.var.actor, provider, c.req.valid("query"));
    return c.body(null, 204);
  });
