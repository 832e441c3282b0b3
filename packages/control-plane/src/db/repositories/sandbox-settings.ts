/**
 * The tenant's sandbox settings (provider default, per-repository overrides), a JSON column of
 * tenant_settings. A stored value that no longer validates counts as unset: the deployment's
 * default provider decides, as it did before the tenant chose.
 */
import { SandboxSettings } from "@nightshift/protocol";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { tenantSettings } from "../schema";

const UNSET: SandboxSettings = { repositories: {} };

export interface StoredSandboxSettings {
  settings: SandboxSettings;
  updatedAt: string | null;
}

function parseStored(raw: string | undefined): SandboxSettings {
  if (!raw || raw === "{}") return UNSET;
  try {
    const parsed = SandboxSettings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : UNSET;
  } catch {
    return UNSET;
  }
}

export async function readSandboxSettings(db: Database, tenantId: string): Promise<StoredSandboxSettings> {
  const [row] = await db
    .select({ value: tenantSettings.sandboxSettings, updatedAt: tenantSettings.updatedAt })
    .from(tenantSettings)
    .where(eq(tenantSettings.tenantId, tenantId));
  return { settings: parseStored(row?.value), updatedAt: row?.updatedAt ?? null };
}

export async function putSandboxSettings(
  db: Database,
  tenantId: string,
  value: SandboxSettings,
  updatedBy: string,
  now: string,
): Promise<void> {
  const values = { sandboxSettings: JSON.stringify(value), updatedBy, updatedAt: now };
  await db
    .insert(tenantSettings)
    .values({ tenantId, ...values })
    .onConflictDoUpdate({ target: tenantSettings.tenantId, set: values });
}
