/**
 * Tenant-scoped access to automation run history: one row per delivery, schedule fire or manual
 * run, with its outcome. The unique (automation, dedupe key) index makes a replay a duplicate
 * atomically, whichever of two racing deliveries inserts first.
 */
import type { AutomationRun, AutomationRunOutcome, Role, SessionStatus } from "@nightshift/protocol";
import { and, count, desc, eq, exists, gte, isNull, lt, min, ne, notInArray } from "drizzle-orm";
import type { Database } from "../client";
import { automationRuns, automations, memberships, sessions, users } from "../schema";

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

function insertRunQuery(db: Database, tenantId: string, run: NewRun) {
  return db
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
}

/** The run, or null when `claim` was asked and another run already holds the trigger id. */
export async function insertRun(db: Database, tenantId: string, run: NewRun): Promise<AutomationRun | null> {
  const [row] = await insertRunQuery(db, tenantId, run);
  return row ? toRun(row, null) : null;
}

/** Stamps the automation's last run, only if the run `runId` was recorded (a lost claim stamps nothing). */
function markRanQuery(db: Database, tenantId: string, run: NewRun) {
  return db
    .update(automations)
    .set({ lastRunAt: run.at })
    .where(
      and(
        eq(automations.tenantId, tenantId),
        eq(automations.id, run.automationId),
        exists(
          db.select({ id: automationRuns.id }).from(automationRuns).where(eq(automationRuns.id, run.id)),
        ),
      ),
    );
}

/** `insertRun` and, when the run was recorded, the automation's last run time: one round trip. */
export async function insertRunAndMark(
  db: Database,
  tenantId: string,
  run: NewRun,
): Promise<AutomationRun | null> {
  const [[row]] = await db.batch([insertRunQuery(db, tenantId, run), markRanQuery(db, tenantId, run)]);
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

/** Runs of the automation that started a session since `since`, other than `exceptRunId`. */
function startedRunsQuery(
  db: Database,
  tenantId: string,
  automationId: string,
  since: string,
  exceptRunId: string,
) {
  return db
    .select({ count: count(), oldestAt: min(automationRuns.at) })
    .from(automationRuns)
    .where(
      and(
        eq(automationRuns.tenantId, tenantId),
        eq(automationRuns.automationId, automationId),
        eq(automationRuns.outcome, "started"),
        gte(automationRuns.at, since),
        ne(automationRuns.id, exceptRunId),
      ),
    );
}

/**
 * Started runs of the automation since `since` whose session does not exist yet (being created
 * after a webhook's 202, or by a run still in flight), other than `exceptRunId`: the concurrency
 * limit counts them with the live sessions, so two deliveries cannot both take the last slot.
 */
function pendingRunsQuery(
  db: Database,
  tenantId: string,
  automationId: string,
  since: string,
  exceptRunId: string,
) {
  return db
    .select({ count: count() })
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
}

export async function countPendingAutomationSessions(
  db: Database,
  tenantId: string,
  automationId: string,
  since: string,
  exceptRunId: string,
): Promise<number> {
  const [row] = await pendingRunsQuery(db, tenantId, automationId, since, exceptRunId);
  return row?.count ?? 0;
}

/** Sessions this automation started that have not ended. */
function liveSessionsQuery(db: Database, tenantId: string, automationId: string) {
  return db
    .select({ count: count() })
    .from(sessions)
    .where(
      and(
        eq(sessions.tenantId, tenantId),
        eq(sessions.automationId, automationId),
        notInArray(sessions.status, TERMINAL),
      ),
    );
}

/** The member of the tenant (role) and who they are; no row once they left it. */
function memberQuery(db: Database, tenantId: string, userId: string) {
  return db
    .select({ role: memberships.role, id: users.id, name: users.name, login: users.login })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .limit(1);
}

export interface ClaimChecks {
  /** ISO: runs started since then count against the hourly limit. */
  startedSince: string;
  /** ISO: started runs still without their session since then count as running. */
  pendingSince: string;
  /** The member the automation acts as. */
  actingUserId: string;
}

export interface ClaimedRun {
  /** Null when another run already holds the trigger id (a duplicate). */
  run: AutomationRun | null;
  /** Other runs that started a session since `startedSince`, and the oldest one's time. */
  started: { count: number; oldestAt: string | null };
  /** The automation's sessions not ended, plus other started runs still creating theirs. */
  running: number;
  member: { role: Role; id: string; name: string; login: string } | null;
}

/**
 * Claims a started run's trigger id and reads what decides whether it may start — the hourly and
 * concurrency counts and the acting member — in one D1 batch: one round trip, and one transaction,
 * so of two deliveries racing for the last slot the second one's counts see the first one's claim.
 * Also stamps the automation's last run when the claim holds.
 */
export async function claimRunWithChecks(
  db: Database,
  tenantId: string,
  unclaimed: Omit<NewRun, "claim">,
  checks: ClaimChecks,
): Promise<ClaimedRun> {
  const run: NewRun = { ...unclaimed, claim: true };
  const [[row], , [started], [live], [pending], [member]] = await db.batch([
    insertRunQuery(db, tenantId, run),
    markRanQuery(db, tenantId, run),
    startedRunsQuery(db, tenantId, run.automationId, checks.startedSince, run.id),
    liveSessionsQuery(db, tenantId, run.automationId),
    pendingRunsQuery(db, tenantId, run.automationId, checks.pendingSince, run.id),
    memberQuery(db, tenantId, checks.actingUserId),
  ]);
  return {
    run: row ? toRun(row, null) : null,
    started: { count: started?.count ?? 0, oldestAt: started?.oldestAt ?? null },
    running: (live?.count ?? 0) + (pending?.count ?? 0),
    member: member ?? null,
  };
}
