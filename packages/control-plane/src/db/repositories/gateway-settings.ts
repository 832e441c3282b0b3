/**
 * The tenant's gateway settings (upstream base URLs, spend caps), stored as JSON columns of
 * tenant_settings. A stored value that no longer validates counts as unset for base URLs (the
 * deployment's default) — and, for budgets, as "no call allowed" rather than "no cap".
 */
import { BudgetSettings, ModelSettings } from "@nightshift/protocol";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { tenantSettings } from "../schema";
import { parseStoredSetting, putSettingsColumn } from "./settings";

export interface GatewaySettings {
  model: ModelSettings;
  budget: BudgetSettings;
}

const NO_MODEL_SETTINGS: ModelSettings = { baseUrls: {} };
/** What an unreadable stored budget becomes: both caps at zero, so the gateway refuses and says so. */
const CLOSED_BUDGET: BudgetSettings = { sessionUsd: 0, monthlyUsd: 0 };

export async function readGatewaySettings(db: Database, tenantId: string): Promise<GatewaySettings> {
  const [row] = await db
    .select({ model: tenantSettings.modelSettings, budget: tenantSettings.budgetSettings })
    .from(tenantSettings)
    .where(eq(tenantSettings.tenantId, tenantId));
  return {
    model: parseStoredSetting(row?.model, ModelSettings, NO_MODEL_SETTINGS, NO_MODEL_SETTINGS),
    budget: parseStoredSetting(row?.budget, BudgetSettings, {}, CLOSED_BUDGET),
  };
}

export function putModelSettings(db: Database, tenantId: string, value: ModelSettings, by: string) {
  return putSettingsColumn(db, tenantId, "modelSettings", value, by);
}

export function putBudgetSettings(db: Database, tenantId: string, value: BudgetSettings, by: string) {
  return putSettingsColumn(db, tenantId, "budgetSettings", value, by);
}
