/**
 * The tenant's sandbox settings (provider default, per-repository overrides), a JSON column of
 * tenant_settings. A stored value that no longer validates counts as unset: the deployment's
 * default provider decides, as it did before the tenant chose.
 */
import { SandboxSettings } from "@nightshift/protocol";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { tenantSettings } from "../schema";
import { parseStoredSetting, putSettingsColumn } from "./settings";

const UNSET: SandboxSettings = { repositories: {} };

export interface StoredSandboxSettings {
  settings: SandboxSettings;
  updatedAt: string | null;
}

export async function readSandboxSettings(db: Database, tenantId: string): Promise<StoredSandboxSettings> {
  const [row] = await db
    .select({ value: tenantSettings.sandboxSettings, updatedAt: tenantSettings.updatedAt })
    .from(tenantSettings)
    .where(eq(tenantSettings.tenantId, tenantId));
  return {
    settings: parseStoredSetting(row?.value, SandboxSettings, UNSET, UNSET),
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function putSandboxSettings(
  db: Database,
  tenantId: string,
  value: SandboxSettings,
  updatedBy: string,
  now: string,
): Promise<void> {
  await putSettingsColumn(db, tenantId, "sandboxSettings", value, updatedBy, now);
}
