/** The tenant's append-only audit log. */
import { and, desc, eq, lt } from "drizzle-orm";
import type { Database } from "../client";
import { auditLog } from "../schema";

export type AuditRow = typeof auditLog.$inferSelect;

export async function insertAuditEntry(db: Database, tenantId: string, row: Omit<AuditRow, "tenantId">) {
  await db.insert(auditLog).values({ ...row, tenantId });
}

/** Newest first; `cursor` is the id of the last entry of the previous page (ids sort by time). */
export async function listAuditEntries(
  db: Database,
  tenantId: string,
  opts: { limit: number; cursor?: string | undefined; action?: string | undefined },
): Promise<{ rows: AuditRow[]; nextCursor: string | null }> {
  const conditions = [eq(auditLog.tenantId, tenantId)];
  if (opts.cursor) conditions.push(lt(auditLog.id, opts.cursor));
  if (opts.action) conditions.push(eq(auditLog.action, opts.action));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > opts.limit && last ? last.id : null };
}
