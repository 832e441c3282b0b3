/**
 * The Worker's half of the reconciler (the DO's watchdog is the other, see session/reconciler.ts):
 * D1 rows that have sat in queued/starting past a threshold are handed to their DO's `reconcile`,
 * which fails a session whose DO was never initialised, repairs one that stalled, and rewrites
 * the row (so a repaired or legitimately waiting session leaves the front of the sweep).
 */
import type { Session } from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { listStuckSessions } from "../db/repositories/sessions";
import type { Bindings } from "../env";

/** A row untouched this long in queued/starting is looked at (the DO's watchdog acts after 2 min). */
export const STUCK_AFTER_MS = 5 * 60_000;
/** Sessions looked at per run; the oldest first, so a backlog drains over a few runs. */
export const SWEEP_BATCH = 50;

export interface SweepResult {
  checked: number;
  failed: number;
  errors: number;
}

export async function sweepStuckSessions(env: Bindings, now: number): Promise<SweepResult> {
  const before = new Date(now - STUCK_AFTER_MS).toISOString();
  const rows = await listStuckSessions(
    openDatabase(env.DB),
    ["queued", "starting", "resuming"],
    before,
    SWEEP_BATCH,
  );
  const outcomes = await Promise.allSettled(rows.map((row) => reconcileOne(env, row)));
  let failed = 0;
  let errors = 0;
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "fulfilled") {
      if (outcome.value === "failed") failed++;
      return;
    }
    errors++;
    console.error(
      JSON.stringify({
        level: "warn",
        event: "session.reconcile_failed",
        sessionId: rows[i]?.id,
        message: outcome.reason instanceof Error ? outcome.reason.message : "unknown error",
      }),
    );
  });
  return { checked: rows.length, failed, errors };
}

async function reconcileOne(env: Bindings, row: Session): Promise<string> {
  const result = await env.SESSION_AGENT.getByName(row.id).reconcile({
    sessionId: row.id,
    tenantId: row.tenantId,
    title: row.title,
    repo: row.repo,
    agent: row.agent,
    model: row.model,
    branch: row.branch,
    createdBy: row.createdBy,
  });
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value.status;
}
