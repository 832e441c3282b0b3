/**
 * The tenant's agent defaults (default agent, default model per agent), a JSON column of
 * tenant_settings. A stored value that no longer validates counts as unset: the deployment's
 * first agent and the catalog's models decide, as they did before the tenant chose.
 */
import { AgentDefaults } from "@nightshift/protocol";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { tenantSettings } from "../schema";
import { parseStoredSetting, putSettingsColumn } from "./settings";

const UNSET: AgentDefaults = { models: {} };

export interface StoredAgentDefaults {
  settings: AgentDefaults;
  updatedAt: string | null;
}

export async function readAgentDefaults(db: Database, tenantId: string): Promise<StoredAgentDefaults> {
  const [row] = await db
    .select({ value: tenantSettings.agentSettings, updatedAt: tenantSettings.updatedAt })
    .from(tenantSettings)
    .where(eq(tenantSettings.tenantId, tenantId));
  return {
    settings: parseStoredSetting(row?.value, AgentDefaults, UNSET, UNSET),
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function putAgentDefaults(
  db: Database,
  tenantId: string,
  value: AgentDefaults,
  updatedBy: string,
  now: string,
): Promise<void> {
  await putSettingsColumn(db, tenantId, "agentSettings", value, updatedBy, now);
}
