/**
 * Tenant settings rows: one per tenant, created on first write. Each group of settings (egress,
 * model, budget, sandbox) is a JSON column of the row, read and written through the helpers here.
 */
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

/** The JSON columns that hold one settings group each. */
type SettingsColumn = "modelSettings" | "budgetSettings" | "sandboxSettings" | "agentSettings";

/**
 * A stored settings group: `empty` when none was stored, `broken` when what was stored no longer
 * parses or validates (each group says what an unreadable value must mean).
 */
export function parseStoredSetting<T>(
  raw: string | undefined,
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
  empty: T,
  broken: T,
): T {
  if (!raw || raw === "{}") return empty;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as T) : broken;
  } catch {
    return broken;
  }
}

/** Writes one settings group, creating the tenant's row when it has none. */
export async function putSettingsColumn(
  db: Database,
  tenantId: string,
  column: SettingsColumn,
  value: unknown,
  updatedBy: string,
  now: string = new Date().toISOString(),
): Promise<void> {
  const values = { [column]: JSON.stringify(value), updatedBy, updatedAt: now };
  await db
    .insert(tenantSettings)
    .values({ tenantId, ...values })
    .onConflictDoUpdate({ target: tenantSettings.tenantId, set: values });
}
