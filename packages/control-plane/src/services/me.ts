/** The caller's own identity and the tenants they may act in. */
import type { MeResponse } from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { getTenant, listTenantsForUser } from "../db/repositories/tenancy";
import type { Bindings } from "../env";
import type { Principal } from "../tenancy/principal";

export async function describeCaller(env: Bindings, principal: Principal): Promise<MeResponse> {
  const db = openDatabase(env.DB);
  if (principal.kind === "api_key") {
    const tenant = await getTenant(db, principal.key.tenantId);
    return {
      user: principal.user,
      tenants: tenant ? [{ ...tenant, role: principal.key.role }] : [],
      via: "api_key",
      apiKey: { id: principal.key.id, tenantId: principal.key.tenantId, role: principal.key.role },
    };
  }
  const tenants = await listTenantsForUser(db, principal.user.id);
  return { user: principal.user, tenants, via: "session", apiKey: null };
}
