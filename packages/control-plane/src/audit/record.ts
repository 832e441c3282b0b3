/**
 * Writes and reads the audit log. Entries name the actor (user, or API key and its creator), the
 * action, the target and small scalar details; never a secret value, key or token.
 */
import type { AuditAction, AuditEntry, ListAuditQuery, ListAuditResponse } from "@nightshift/protocol";
import { ulid } from "ulid";
import type { Database } from "../db/client";
import { type AuditRow, insertAuditEntry, listAuditEntries } from "../db/repositories/audit-log";
import type { Actor } from "../env";

export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEvent {
  action: AuditAction;
  target: { type: string; id: string };
  detail?: AuditDetail;
}

export type AuditActor = Pick<Actor, "userId" | "name" | "login" | "via" | "apiKeyId"> | { system: string };

function actorColumns(actor: AuditActor) {
  if ("system" in actor)
    return { actorType: "system" as const, actorId: actor.system, actorName: actor.system };
  const name = actor.login ?? actor.name;
  if (actor.via === "api_key" && actor.apiKeyId) {
    return { actorType: "api_key" as const, actorId: actor.apiKeyId, actorName: `${name} (API key)` };
  }
  return { actorType: "user" as const, actorId: actor.userId, actorName: name };
}

export async function recordAudit(
  db: Database,
  tenantId: string,
  actor: AuditActor,
  event: AuditEvent,
  now: Date = new Date(),
): Promise<void> {
  const detail: AuditDetail = { ...event.detail };
  if (!("system" in actor) && actor.via === "api_key") detail.userId = actor.userId;
  await insertAuditEntry(db, tenantId, {
    id: ulid(now.getTime()).toLowerCase(),
    ...actorColumns(actor),
    action: event.action,
    targetType: event.target.type,
    targetId: event.target.id,
    detail: JSON.stringify(detail),
    createdAt: now.toISOString(),
  });
}

function toEntry(row: AuditRow): AuditEntry {
  let detail: AuditDetail = {};
  try {
    detail = JSON.parse(row.detail) as AuditDetail;
  } catch {
    detail = { unreadable: true };
  }
  return {
    id: row.id,
    tenantId: row.tenantId,
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    action: row.action as AuditAction,
    target: { type: row.targetType, id: row.targetId },
    detail,
    createdAt: row.createdAt,
  };
}

export async function listAudit(
  db: Database,
  tenantId: string,
  q: ListAuditQuery,
): Promise<ListAuditResponse> {
  const { rows, nextCursor } = await listAuditEntries(db, tenantId, q);
  return { entries: rows.map(toEntry), nextCursor };
}
