/** Tenant settings rows: one per tenant, created on first write. */
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { tenantSettings } from "../schema";

export type TenantSettingsRow = typeof tenantSettings.$inferSelect;

export async function findTenantSettings(db: Database, tenantId: string): Promise<TenantSettingsRow | null> {
  const [row] = await db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
  return row ?? null;
}

export async function putEgressAllowHosts(
  db: Database,
  tenantId: string,
  input: { allowHosts: string[]; updatedBy: string; now: string },
): Promise<TenantSettingsRow> {
  const values = {
    egressAllowHosts: JSON.stringify(input.allowHosts),
    updatedBy: input.updatedBy,
    updatedAt: input.now,
  };
  const [row] = await db
    .insert(tenantSettings)
    .values({ tenantId, ...values })
    .onConflictDoUpdate({ target: tenantSettings.tenantId, set: values })
    .returning();
  if (!row) throw new Error("tenant settings were not written");
  return row;
}
