/**
 * Tenant settings use cases. The egress allow-list: hosts this tenant's sandboxes may reach
 * through the sandbox host's egress proxy beyond what a session needs. Owners and admins edit
 * it (audited); members read it; every sandbox create carries it.
 */
import { EgressSettings, type PutEgressSettingsRequest, type TenantSettings } from "@nightshift/protocol";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import { findTenantSettings, putEgressAllowHosts, type TenantSettingsRow } from "../db/repositories/settings";
import type { Actor, Bindings } from "../env";

function egressOf(row: TenantSettingsRow | null): EgressSettings {
  if (!row) return { allowHosts: [] };
  try {
    const parsed = EgressSettings.safeParse({ allowHosts: JSON.parse(row.egressAllowHosts) });
    // A stored list that no longer validates (the rule tightened) allows nothing rather than too much.
    return parsed.success ? parsed.data : { allowHosts: [] };
  } catch {
    return { allowHosts: [] };
  }
}

export async function getTenantSettings(env: Bindings, actor: Actor): Promise<TenantSettings> {
  const row = await findTenantSettings(openDatabase(env.DB), actor.tenantId);
  return { egress: egressOf(row), updatedAt: row?.updatedAt ?? null };
}

/** What a sandbox of this tenant may reach beyond the defaults (sent with every create). */
export async function egressPolicyFor(env: Pick<Bindings, "DB">, tenantId: string): Promise<EgressSettings> {
  return egressOf(await findTenantSettings(openDatabase(env.DB), tenantId));
}

export async function putEgressSettings(
  env: Bindings,
  actor: Actor,
  req: PutEgressSettingsRequest,
): Promise<TenantSettings> {
  const db = openDatabase(env.DB);
  const before = egressOf(await findTenantSettings(db, actor.tenantId));
  // Patterns compare case-insensitively as DNS does; duplicates would only clutter the list.
  const allowHosts = [...new Set(req.allowHosts.map((h) => h.toLowerCase()))].sort();
  const row = await putEgressAllowHosts(db, actor.tenantId, {
    allowHosts,
    updatedBy: actor.userId,
    now: new Date().toISOString(),
  });
  const added = allowHosts.filter((h) => !before.allowHosts.includes(h));
  const removed = before.allowHosts.filter((h) => !allowHosts.includes(h));
  await recordAudit(db, actor.tenantId, actor, {
    action: "settings.egress_changed",
    target: { type: "tenant", id: actor.tenantId },
    detail: {
      added: added.join(",").slice(0, 2000),
      removed: removed.join(",").slice(0, 2000),
      count: allowHosts.length,
    },
  });
  return { egress: egressOf(row), updatedAt: row.updatedAt };
}
