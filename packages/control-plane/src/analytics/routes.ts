/**
 * /api/v1/tenants/:tenantId/analytics and /analytics.csv: the tenant's report over a range of days,
 * grouped by user, repository, agent or model (members read).
 */
import { AnalyticsQuery } from "@nightshift/protocol";
import { Hono } from "hono";
import { openDatabase } from "../db/client";
import type { AppEnv } from "../env";
import { queryOf } from "../http/validate";
import { analyticsCsv, csvFilename } from "./csv";
import { analyticsReport } from "./report";

export const analyticsRoutes = new Hono<AppEnv>()
  .get("/analytics", queryOf(AnalyticsQuery), async (c) =>
    c.json(
      await analyticsReport(openDatabase(c.env.DB), c.var.actor.tenantId, c.req.valid("query"), new Date()),
    ),
  )
  .get("/analytics.csv", queryOf(AnalyticsQuery), async (c) => {
    const report = await analyticsReport(
      openDatabase(c.env.DB),
      c.var.actor.tenantId,
      c.req.valid("query"),
      new Date(),
    );
    return c.body(analyticsCsv(report), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${csvFilename(report)}"`,
      "cache-control": "no-store",
    });
  });
