/** Reading the tenant's audit log (admins, by route policy). */
import type { ListAuditQuery, ListAuditResponse } from "@nightshift/protocol";
import { listAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import type { Actor, Bindings } from "../env";

export function listTenantAudit(env: Bindings, actor: Actor, q: ListAuditQuery): Promise<ListAuditResponse> {
  return listAudit(openDatabase(env.DB), actor.tenantId, q);
}
