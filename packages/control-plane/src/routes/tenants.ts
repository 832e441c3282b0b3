/**
 * /api/v1/tenants: the caller's tenant directory (list, create; no tenant chosen yet) and one
 * tenant (read, delete) under /api/v1/tenants/:tenantId, where the tenant middleware has run.
 */
import { CreateTenantRequest, DeleteTenantQuery } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, queryOf } from "../http/validate";
import * as tenants from "../services/tenants";

export const tenantDirectoryRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await tenants.listMyTenants(c.env, c.var.principal)))
  .post("/", jsonBody(CreateTenantRequest), async (c) => {
    const tenant = await tenants.createTenant(c.env, c.var.principal, c.req.valid("json"));
    return c.json(tenant, 201, { location: `/api/v1/tenants/${tenant.id}` });
  });

export const tenantRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await tenants.readTenant(c.env, c.var.actor)))
  .delete("/", queryOf(DeleteTenantQuery), async (c) => {
    const { confirm } = c.req.valid("query");
    const tenant = await tenants.readTenant(c.env, c.var.actor);
    if (confirm !== tenant.slug) {
      throw new AppError(
        "invalid_request",
        `to delete this tenant, repeat its slug: ?confirm=${tenant.slug}`,
      );
    }
    await tenants.deleteTenant(c.env, c.var.actor);
    return c.body(null, 204);
  });
