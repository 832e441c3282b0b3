/** Every push through the proxy, allowed or refused, leaves one audit entry per ref on the session. */
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import type { Bindings } from "../env";
import type { RefUpdate } from "./receive-pack-request";

export interface PushRecord {
  update: RefUpdate | null;
  verdict: "allowed" | "refused";
  reason?: string;
}

export async function auditPush(
  env: Bindings,
  tenantId: string,
  sessionId: string,
  records: readonly PushRecord[],
): Promise<void> {
  const db = openDatabase(env.DB);
  for (const record of records) {
    await recordAudit(
      db,
      tenantId,
      { system: "git-proxy" },
      {
        action: record.verdict === "allowed" ? "sandbox.git_push_allowed" : "sandbox.git_push_refused",
        target: { type: "session", id: sessionId },
        detail: {
          ref: record.update?.ref.slice(0, 300) ?? null,
          old: record.update?.oldOid ?? null,
          new: record.update?.newOid ?? null,
          verdict: record.verdict,
          ...(record.reason ? { reason: record.reason.slice(0, 500) } : {}),
        },
      },
    );
  }
}
