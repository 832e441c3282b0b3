/**
 * Tenant-scoped access to automation run history: one row per delivery, schedule fire or manual
 * run, with its outcome. The unique (automation, dedupe key) index makes a replay a duplicate
 * atomically, whichever of two racing deliveries inserts first.
 */
import type { AutomationRun, AutomationRunOutcome, SessionStatus } from "@nightshift/protocol";
import { and, asc, desc, eq, gte, isNull, lt, ne, notInArray } from "drizzle-orm";
import type { Database } from "../client";
import { automationRuns, sessions } from "../schema";

type Row = typeof automationRuns.$inferSelect;

const TERMINAL: SessionStatus[] = ["stopped", "completed", "failed"];

function toRun(row: Row, sessionStatus: string | null): AutomationRun {
  return {
    id: row.id,
    automationId: row.automationId,
    at: row.at,
    triggerId: row.triggerId,
    outcome: row.outcome as AutomationRunOutcome,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.sessionId ? { sessionId: row.sessionId } : {}),
    ...(sessionStatus ? { sessionStatus: sessionStatus as SessionStatus } : {}),
  };
}

export interface NewRun {
  id: string;
  automationId: string;
  at: string;
  triggerId: string;
  outcome: AutomationRunOutcome;
  reason?: string;
  /** A session id allocated before the session exists (a webhook's 202 names it at once). */
  sessionId?: string;
  /** Claims the trigger id: the insert is refused (null) when another run already holds it. */
  claim: boolean;
}

/** The run, or null when `claim` was asked and another run already holds the trigger id. */
export async function insertRun(db: Database, tenantId: string, run: NewRun): Promise<AutomationRun | null> {
  const [row] = await db
    .insert(automationRuns)
    .values({
      id: run.id,
      tenantId,
      automationId: run.automationId,
      at: run.at,
      triggerId: run.triggerId,
      dedupeKey: run.claim ? run.triggerId : null,
      outcome: run.outcome,
      reason: run.reason ?? null,
      sessionId: run.sessionId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  return row ? toRun(row, null) : null;
}

/** Settles a started run: its session, or its failure (which lets the trigger id go for a retry). */
export async function settleRun(
  db: Database,
  tenantId: string,
  runId: string,
  result: { sessionId: string } | { outcome: "failed" | "rate_limited"; reason: string },
): Promise<void> {
  await db
    .update(automationRuns)
    .set(
      "sessionId" in result
        ? { sessionId: result.sessionId }
        : // A failed run names no session: one allocated for it was never created.
          { outcome: result.outcome, reason: result.reason.slice(0, 500), dedupeKey: null, sessionId: null },
    )
    .where(and(eq(automationRuns.tenantId, tenantId), eq(automationRuns.id, runId)));
}

/** Newest first; `cursor` is the id of the last run of the previous page (ids sort by time). */
export async function listRuns(
  db: Database,
  tenantId: string,
  automationId: string,
  opts: { limit: number; cursor?: string | undefined },
): Promise<{ runs: AutomationRun[]; nextCursor: string | null }> {
  const conditions = [eq(automationRuns.tenantId, tenantId), eq(automationRuns.automationId, automationId)];
  if (opts.cursor) conditions.push(lt(automationRuns.id, opts.cursor));
  const rows = await db
    .select({ run: automationRuns, status: sessions.status })
    .from(automationRuns)
    .leftJoin(sessions, and(eq(sessions.tenantId, tenantId), eq(sessions.id, automationRuns.sessionId)))
    .where(and(...conditions))
    .orderBy(desc(automationRuns.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit).map((r) => toRun(r.run, r.status));
  const last = page.at(-1);
  return { runs: page, nextCursor: rows.length > opts.limit && last ? last.id : null };
}

/** The runs that started a session since `since` (ISO), oldest first. */
export async function startedRunsSince(
  db: Database,
  tenantId: string,
  automationId: string,
  since: string,
): Promise<{ id: string; at: string }[]> {
  return db
    .select({ id: automationRuns.id, at: automationRuns.at })
    .from(automationRuns)
    .where(
      and(
        eq(automationRuns.tenantId, tenantId),
        eq(automationRuns.automationId, automationId),
        eq(automationRuns.outcome, "started"),
        gte(automationRuns.at, since),
      ),
    )
    .orderBy(asc(automationRuns.at));
}

/** Sessions this automation started that have not ended (its concurrency). */
/**
 * Started runs of the automation since `since` whose session does not exist yet (being created
 * after a webhook's 202, or by a run still in flight), other than `exceptRunId`: the concurrency
 * limit counts them with the live sessions, so two deliveries cannot both take the last slot.
 */
export async function countPendingAutomationSessions(
  db: Database,
  tenantId: string,
  automationId: string,
  since: string,
  exceptRunId: string,
): Promise<number> {
  const rows = await db
    .select({ id: automationRuns.id })
    .from(automationRuns)
    .leftJoin(sessions, and(eq(sessions.tenantId, tenantId), eq(sessions.id, automationRuns.sessionId)))
    .where(
      and(
        eq(automationRuns.tenantId, tenantId),
        eq(automationRuns.automationId, automationId),
        eq(automationRuns.outcome, "started"),
        gte(automationRuns.at, since),
        ne(automationRuns.id, exceptRunId),
        isNull(sessions.id),
      ),
    );
  return rows.length;
}

export async function countLiveAutomationSessions(
  db: Database,
  tenantId: string,
  automationId: string,
): Promise<number> {
  return db.$count(
    sessions,
    and(
      eq(sessions.tenantId, tenantId),
      eq(sessions.automationId, automationId),
      notInArray(sessions.status, TERMINAL),
    ),
  );
}
