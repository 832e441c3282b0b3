/** The tenant's gateway spend in one calendar month (UTC), read from model_usage; scoped by tenant. */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { modelUsage } from "../schema";

/** `month`: `YYYY-MM` (UTC), as model_usage.month stores it. */
export async function monthSpendUsd(db: Database, tenantId: string, month: string): Promise<number> {
  const [row] = await db
    .select({ usd: sql<number>`coalesce(sum(${modelUsage.costUsd}), 0)` })
    .from(modelUsage)
    .where(and(eq(modelUsage.tenantId, tenantId), eq(modelUsage.month, month)));
  return Number(row?.usd ?? 0);
}
