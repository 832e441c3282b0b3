/**
 * The tenant's gateway settings (upstream base URLs, spend caps), stored as JSON columns of
 * tenant_settings. A stored value that no longer validates counts as unset for base URLs (the
 * deployment's default) — and, for budgets, as "no call allowed" rather than "no cap".
 */
import { BudgetSettings, ModelSettings } from "@nightshift/protocol";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { tenantSettings } from "../schema";

export interface GatewaySettings {
  model: ModelSettings;
  budget: BudgetSettings;
}

const NO_MODEL_SETTINGS: ModelSettings = { baseUrls: {} };
/** What an unreadable stored budget becomes: both caps at zero, so the gateway refuses and says so. */
const CLOSED_BUDGET: BudgetSettings = { sessionUsd: 0, monthlyUsd: 0 };

function parseStored<T>(
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

export async function readGatewaySettings(db: Database, tenantId: string): Promise<GatewaySettings> {
  const [row] = await db
    .select({ model: tenantSettings.modelSettings, budget: tenantSettings.budgetSettings })
    .from(tenantSettings)
    .where(eq(tenantSettings.tenantId, tenantId));
  return {
    model: parseStored(row?.model, ModelSettings, NO_MODEL_SETTINGS, NO_MODEL_SETTINGS),
    budget: parseStored(row?.budget, BudgetSettings, {}, CLOSED_BUDGET),
  };
}

async function putColumn(
  db: Database,
  tenantId: string,
  column: "modelSettings" | "budgetSettings",
  value: unknown,
  updatedBy: string,
): Promise<void> {
  const values = { [column]: JSON.stringify(value), updatedBy, updatedAt: new Date().toISOString() };
  await db
    .insert(tenantSettings)
    .values({ tenantId, ...values })
    .onConflictDoUpdate({ target: tenantSettings.tenantId, set: values });
}

export function putModelSettings(db: Database, tenantId: string, value: ModelSettings, by: string) {
  return putColumn(db, tenantId, "modelSettings", value, by);
}

export function putBudgetSettings(db: Database, tenantId: string, value: BudgetSettings, by: string) {
  return putColumn(db, tenantId, "budgetSettings", value, by);
}
