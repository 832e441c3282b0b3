/**
 * Tenant-scoped access to automations. Every function takes the tenant first, except two that
 * run before a tenant is known: `findAutomationForIngress` (POST /webhooks/in/:id — the row names
 * its tenant) and `listSchedules` (the scheduler sweeps every tenant's due schedules and hands each
 * to code that goes on with that row's tenant).
 */
import type {
  AgentName,
  Automation,
  AutomationRepo,
  AutomationTrigger,
  AutomationTriggerKind,
} from "@nightshift/protocol";
import { and, asc, eq, gt, isNotNull, lte } from "drizzle-orm";
import type { Database } from "../client";
import { automations } from "../schema";

type Row = typeof automations.$inferSelect;

/** How many failures in a row pause a schedule (issue 16: "auto-pause after 3 consecutive failures"). */
export const AUTO_PAUSE_AFTER = 3;

/** The sealed signing secrets of an automation: the current one and, for a day after a rotation, the last. */
export interface SealedAutomationSecrets {
  current: string | null;
  previous: string | null;
  /** ISO; the previous secret is refused from then on. */
  previousUntil: string | null;
}

function toAutomation(row: Row): Automation {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    enabled: row.enabled,
    trigger: JSON.parse(row.trigger) as AutomationTrigger,
    repo: JSON.parse(row.repo) as AutomationRepo,
    ...(row.agent ? { agent: row.agent as AgentName } : {}),
    ...(row.model ? { model: row.model } : {}),
    promptTemplate: row.promptTemplate,
    ...(row.filter ? { filter: row.filter } : {}),
    ...(row.dedupeKey ? { dedupeKey: row.dedupeKey } : {}),
    limits: { maxRunsPerHour: row.maxRunsPerHour, maxConcurrent: row.maxConcurrent },
    actingUserId: row.actingUserId,
    ...(row.pausedReason ? { pausedReason: row.pausedReason } : {}),
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.lastRunAt ? { lastRunAt: row.lastRunAt } : {}),
    ...(row.nextRunAt ? { nextRunAt: row.nextRunAt } : {}),
  };
}

function sealedOf(row: Row): SealedAutomationSecrets {
  return {
    current: row.secretCiphertext,
    previous: row.previousSecretCiphertext,
    previousUntil: row.previousSecretUntil,
  };
}

/** The writable columns, as the service computes them from a validated input or patch. */
export interface AutomationFields {
  name: string;
  enabled: boolean;
  trigger: AutomationTrigger;
  repo: AutomationRepo;
  agent: AgentName | null;
  model: string | null;
  promptTemplate: string;
  filter: string | null;
  dedupeKey: string | null;
  maxRunsPerHour: number;
  maxConcurrent: number;
  actingUserId: string;
  pausedReason: string | null;
  consecutiveFailures: number;
  nextRunAt: string | null;
}

function columnsOf(f: AutomationFields) {
  return {
    name: f.name,
    enabled: f.enabled,
    triggerKind: f.trigger.kind as AutomationTriggerKind,
    trigger: JSON.stringify(f.trigger),
    repo: JSON.stringify(f.repo),
    agent: f.agent,
    model: f.model,
    promptTemplate: f.promptTemplate,
    filter: f.filter,
    dedupeKey: f.dedupeKey,
    maxRunsPerHour: f.maxRunsPerHour,
    maxConcurrent: f.maxConcurrent,
    actingUserId: f.actingUserId,
    pausedReason: f.pausedReason,
    consecutiveFailures: f.consecutiveFailures,
    nextRunAt: f.nextRunAt,
  };
}

export async function insertAutomation(
  db: Database,
  tenantId: string,
  a: AutomationFields & { id: string; createdBy: string; secretCiphertext: string | null; now: string },
): Promise<Automation> {
  const [row] = await db
    .insert(automations)
    .values({
      ...columnsOf(a),
      id: a.id,
      tenantId,
      secretCiphertext: a.secretCiphertext,
      createdBy: a.createdBy,
      createdAt: a.now,
      updatedAt: a.now,
    })
    .returning();
  if (!row) throw new Error("insert into automations returned no row");
  return toAutomation(row);
}

export async function getAutomation(db: Database, tenantId: string, id: string): Promise<Automation | null> {
  const row = await db.query.automations.findFirst({
    where: and(eq(automations.tenantId, tenantId), eq(automations.id, id)),
  });
  return row ? toAutomation(row) : null;
}

export async function listAutomations(db: Database, tenantId: string): Promise<Automation[]> {
  const rows = await db
    .select()
    .from(automations)
    .where(eq(automations.tenantId, tenantId))
    .orderBy(asc(automations.name), asc(automations.id));
  return rows.map(toAutomation);
}

export async function countAutomations(db: Database, tenantId: string): Promise<number> {
  return db.$count(automations, eq(automations.tenantId, tenantId));
}

/**
 * The ingress lookup, before any tenant is known: POST /webhooks/in/:id names only the automation,
 * and the row says whose it is. Everything after it is scoped by `automation.tenantId`.
 */
export async function findAutomationForIngress(
  db: Database,
  id: string,
): Promise<{ automation: Automation; secrets: SealedAutomationSecrets } | null> {
  const row = await db.query.automations.findFirst({ where: eq(automations.id, id) });
  return row ? { automation: toAutomation(row), secrets: sealedOf(row) } : null;
}

export async function updateAutomation(
  db: Database,
  tenantId: string,
  id: string,
  fields: AutomationFields,
  now: string,
): Promise<Automation | null> {
  const [row] = await db
    .update(automations)
    .set({ ...columnsOf(fields), updatedAt: now })
    .where(and(eq(automations.tenantId, tenantId), eq(automations.id, id)))
    .returning();
  return row ? toAutomation(row) : null;
}

export async function deleteAutomation(db: Database, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(automations)
    .where(and(eq(automations.tenantId, tenantId), eq(automations.id, id)))
    .returning({ id: automations.id });
  return rows.length > 0;
}

/** A new current secret; the one it replaces stays valid until `previousUntil`. */
export async function rotateAutomationSecret(
  db: Database,
  tenantId: string,
  id: string,
  sealed: string,
  previousUntil: string,
  now: string,
): Promise<Automation | null> {
  const current = await db.query.automations.findFirst({
    where: and(eq(automations.tenantId, tenantId), eq(automations.id, id)),
  });
  if (!current) return null;
  const [row] = await db
    .update(automations)
    .set({
      secretCiphertext: sealed,
      previousSecretCiphertext: current.secretCiphertext,
      previousSecretUntil: current.secretCiphertext ? previousUntil : null,
      updatedAt: now,
    })
    .where(and(eq(automations.tenantId, tenantId), eq(automations.id, id)))
    .returning();
  return row ? toAutomation(row) : null;
}

/**
 * Enabled schedules, across tenants, whose next fire time is set (and, with `dueBefore`, not
 * after it), in id order for paging. The scheduler's sweep; every row names its own tenant.
 */
export async function listSchedules(
  db: Database,
  opts: { dueBefore?: string; limit: number; cursor?: string },
): Promise<{ automations: Automation[]; nextCursor: string | null }> {
  const conditions = [
    eq(automations.triggerKind, "schedule"),
    eq(automations.enabled, true),
    isNotNull(automations.nextRunAt),
  ];
  if (opts.dueBefore) conditions.push(lte(automations.nextRunAt, opts.dueBefore));
  if (opts.cursor) conditions.push(gt(automations.id, opts.cursor));
  const rows = await db
    .select()
    .from(automations)
    .where(and(...conditions))
    .orderBy(asc(automations.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit).map(toAutomation);
  const last = page.at(-1);
  return { automations: page, nextCursor: rows.length > opts.limit && last ? last.id : null };
}

/**
 * After a schedule fired: its last and next fire times, and its failure streak. The third failure
 * in a row pauses it (disabled, no next fire) with the reason, until someone resumes it.
 */
export async function recordScheduleOutcome(
  db: Database,
  tenantId: string,
  id: string,
  outcome: { ok: boolean; reason?: string; nextRunAt: string | null; firedAt: string },
): Promise<Automation | null> {
  const row = await db.query.automations.findFirst({
    where: and(eq(automations.tenantId, tenantId), eq(automations.id, id)),
  });
  if (!row) return null;
  const failures = outcome.ok ? 0 : row.consecutiveFailures + 1;
  const pause = failures >= AUTO_PAUSE_AFTER;
  const reason = outcome.reason ?? "the run failed";
  const [updated] = await db
    .update(automations)
    .set({
      lastRunAt: outcome.firedAt,
      consecutiveFailures: failures,
      ...(pause
        ? {
            enabled: false,
            nextRunAt: null,
            pausedReason: `paused after ${failures} failures in a row; the last: ${reason}`.slice(0, 500),
          }
        : { nextRunAt: outcome.nextRunAt }),
      updatedAt: outcome.firedAt,
    })
    .where(and(eq(automations.tenantId, tenantId), eq(automations.id, id)))
    .returning();
  return updated ? toAutomation(updated) : null;
}
