/**
 * Tenant-scoped access to the sessions index. Every function takes the tenant first, except
 * `listStuckSessions`: the scheduled reconciler sweeps every tenant, and hands each row to that
 * session's own DO, which checks the tenant again; and `sessionStatusAcrossTenants`: the snapshot
 * sweep knows a provider snapshot's session id (in its name) but not its tenant, and only reads
 * the status to decide whether the snapshot may go.
 */
import type { RepoRef, Session, SessionStatus, Trigger } from "@nightshift/protocol";
import { and, asc, desc, eq, inArray, lt, notInArray } from "drizzle-orm";
import type { Database } from "../client";
import { sessions } from "../schema";

type Row = typeof sessions.$inferSelect;

export interface NewSession {
  id: string;
  title: string;
  repo: RepoRef;
  agent: Session["agent"];
  model: string | null;
  status: SessionStatus;
  trigger: Trigger;
  createdBy: string;
  branch: string;
  /** The sandbox provider resolved for the session (services/sandbox-settings.ts). */
  sandboxProvider?: string;
  /** The automation that started it, and its name then. */
  automationId?: string;
  automationName?: string;
  createdAt: string;
}

function toSession(row: Row): Session {
  return {
    id: row.id,
    tenantId: row.tenantId,
    title: row.title,
    repo: JSON.parse(row.repo) as RepoRef,
    agent: row.agent as Session["agent"],
    model: row.model,
    status: row.status as SessionStatus,
    trigger: row.trigger as Trigger,
    ...(row.automationId
      ? { automation: { id: row.automationId, name: row.automationName ?? row.automationId } }
      : {}),
    createdBy: row.createdBy,
    branch: row.branch,
    costUsd: row.costUsd,
    prUrl: row.prUrl,
    ...(row.sandboxProvider
      ? {
          sandbox: {
            provider: row.sandboxProvider,
            isolation: row.sandboxIsolation,
            ...(row.sandboxStart === "warm" || row.sandboxStart === "cold"
              ? { start: row.sandboxStart }
              : {}),
          },
        }
      : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function insertSession(db: Database, tenantId: string, s: NewSession): Promise<Session> {
  const [row] = await db
    .insert(sessions)
    .values({ ...s, tenantId, repo: JSON.stringify(s.repo), updatedAt: s.createdAt })
    .returning();
  if (!row) throw new Error("insert into sessions returned no row");
  return toSession(row);
}

export async function findSession(db: Database, tenantId: string, id: string): Promise<Session | null> {
  const row = await db.query.sessions.findFirst({
    where: and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)),
  });
  return row ? toSession(row) : null;
}

/** Newest first; `cursor` is the id of the last session of the previous page (ids sort by time). */
export async function listSessions(
  db: Database,
  tenantId: string,
  opts: { limit: number; cursor?: string | undefined; status?: SessionStatus | undefined },
): Promise<{ sessions: Session[]; nextCursor: string | null }> {
  const conditions = [eq(sessions.tenantId, tenantId)];
  if (opts.cursor) conditions.push(lt(sessions.id, opts.cursor));
  if (opts.status) conditions.push(eq(sessions.status, opts.status));
  const rows = await db
    .select()
    .from(sessions)
    .where(and(...conditions))
    .orderBy(desc(sessions.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit).map(toSession);
  const last = page.at(-1);
  return { sessions: page, nextCursor: rows.length > opts.limit && last ? last.id : null };
}

export interface SessionPatch {
  status?: SessionStatus;
  costUsd?: number;
  prUrl?: string;
  /** The isolation level of the session's latest sandbox. */
  sandboxIsolation?: string;
  /** Whether that sandbox started warm (from a prebuilt snapshot) or cold. */
  sandboxStart?: "warm" | "cold";
}

export async function updateSession(
  db: Database,
  tenantId: string,
  id: string,
  patch: SessionPatch,
  now: string,
): Promise<void> {
  await db
    .update(sessions)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)));
}

/** The newest session of the tenant working on `branch` of `repo` (a pull request's head), if any. */
export async function findSessionByBranch(
  db: Database,
  tenantId: string,
  repo: RepoRef,
  branch: string,
): Promise<Session | null> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.branch, branch)))
    .orderBy(desc(sessions.id))
    .limit(20);
  const key = JSON.stringify(repo);
  const row = rows.find((r) => r.repo === key);
  return row ? toSession(row) : null;
}

const TERMINAL: SessionStatus[] = ["stopped", "completed", "failed"];

/** The tenant's sessions that are not finished (optionally only those one user started). */
export async function listLiveSessions(
  db: Database,
  tenantId: string,
  opts: { createdBy?: string } = {},
): Promise<Session[]> {
  const conditions = [eq(sessions.tenantId, tenantId), notInArray(sessions.status, TERMINAL)];
  if (opts.createdBy) conditions.push(eq(sessions.createdBy, opts.createdBy));
  const rows = await db
    .select()
    .from(sessions)
    .where(and(...conditions))
    .orderBy(asc(sessions.id));
  return rows.map(toSession);
}

/** Across tenants: sessions in `statuses` whose row has not changed since `updatedBefore`, oldest first. */
export async function listStuckSessions(
  db: Database,
  statuses: SessionStatus[],
  updatedBefore: string,
  limit: number,
): Promise<Session[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(inArray(sessions.status, statuses), lt(sessions.updatedAt, updatedBefore)))
    .orderBy(asc(sessions.updatedAt))
    .limit(limit);
  return rows.map(toSession);
}

/**
 * Across tenants: a session's status by its id (ULIDs are unique across tenants), or null when
 * there is no such session. Read by the provider snapshot sweep only; never shown to anyone.
 */
export async function sessionStatusAcrossTenants(db: Database, id: string): Promise<SessionStatus | null> {
  const [row] = await db.select({ status: sessions.status }).from(sessions).where(eq(sessions.id, id));
  return (row?.status as SessionStatus | undefined) ?? null;
}
