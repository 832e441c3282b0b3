/** /api/v1/tenants/:tenantId/audit: the tenant's audit log, newest first (admins). */
import { ListAuditQuery } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { queryOf } from "../http/validate";
import { listTenantAudit } from "../services/audit";

export const auditRoutes = new Hono<AppEnv>().get("/", queryOf(ListAuditQuery), async (c) =>
  c.json(await listTenantAudit(c.env, c.var.actor, c.req.valid("query"))),
);
