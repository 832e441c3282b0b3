/**
 * Deletes Daytona sandboxes Nightshift no longer needs, which a lost terminate, a crash between
 * create and record, or an ended session can leave running (and billing). Only sandboxes that
 * carry Nightshift's labels are looked at, and only this deployment's:
 * - with NIGHTSHIFT_DEPLOYMENT set, the list is filtered by `nightshift.deployment` and a sandbox
 *   whose session this control plane does not know (in the labelled tenant) is deleted once older
 *   than the grace period;
 * - without it, only sandboxes with no deployment label are looked at, and one of an unknown
 *   session is left alone (it may be another unnamed deployment's): only ended, paused or
 *   superseded sessions' sandboxes are deleted.
 * A session's sandboxes other than its newest incarnation (incarnations are ULIDs: later sorts
 * higher) are superseded. Unlabelled sandboxes are never touched.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import type { DaytonaClient, DaytonaSandbox } from "./daytona-client";

export const RECONCILE_PAGE_SIZE = 100;
/** Pages read per run (the next run continues with what is left). */
export const RECONCILE_MAX_PAGES = 10;
/** Deletions per run. */
export const RECONCILE_MAX_DELETES = 50;
/** A sandbox younger than this is never deleted as unknown or paused: its session may still be recording it. */
export const RECONCILE_GRACE_MS = 10 * 60_000;

const LABEL = {
  deployment: "nightshift.deployment",
  tenant: "nightshift.tenant",
  session: "nightshift.session",
  incarnation: "nightshift.incarnation",
} as const;

export interface SessionLookup {
  /** The session's status, or null when this control plane has no such session in that tenant. */
  status(tenantId: string, sessionId: string): Promise<SessionStatus | null>;
}

export interface ReconcileOptions {
  deployment?: string;
  now: number;
  graceMs?: number;
  maxPages?: number;
  maxDeletes?: number;
}

export type DeleteReason = "session ended" | "session paused" | "incarnation superseded" | "session unknown";

export interface ReconcileReport {
  /** Labelled sandboxes of this deployment looked at. */
  checked: number;
  deleted: { id: string; reason: DeleteReason }[];
  errors: number;
}

interface Labelled {
  sandbox: DaytonaSandbox;
  tenant: string;
  session: string;
  incarnation: string;
}

export async function reconcileDaytonaSandboxes(
  client: Pick<DaytonaClient, "listSandboxes" | "deleteSandbox">,
  sessions: SessionLookup,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const labelled = await listOwn(client, options);
  const newest = new Map<string, string>();
  for (const s of labelled) {
    const key = `${s.tenant}\u0000${s.session}`;
    const seen = newest.get(key);
    if (seen === undefined || s.incarnation > seen) newest.set(key, s.incarnation);
  }
  const statuses = new Map<string, Promise<SessionStatus | null>>();
  const report: ReconcileReport = { checked: labelled.length, deleted: [], errors: 0 };
  const maxDeletes = options.maxDeletes ?? RECONCILE_MAX_DELETES;
  for (const s of labelled) {
    if (report.deleted.length >= maxDeletes) break;
    const key = `${s.tenant}\u0000${s.session}`;
    let status = statuses.get(key);
    if (!status) {
      status = sessions.status(s.tenant, s.session);
      statuses.set(key, status);
    }
    let reason: DeleteReason | null;
    try {
      reason = verdict(s, await status, newest.get(key) === s.incarnation, options);
    } catch {
      report.errors++;
      continue;
    }
    if (!reason) continue;
    try {
      await client.deleteSandbox(s.sandbox.id);
      report.deleted.push({ id: s.sandbox.id, reason });
    } catch {
      report.errors++;
    }
  }
  return report;
}

function verdict(
  s: Labelled,
  status: SessionStatus | null,
  isNewest: boolean,
  options: ReconcileOptions,
): DeleteReason | null {
  const createdAt = s.sandbox.createdAt ? Date.parse(s.sandbox.createdAt) : Number.NaN;
  // Without a creation time a sandbox is taken as young: kept unless its session has ended.
  const old =
    Number.isFinite(createdAt) && options.now - createdAt >= (options.graceMs ?? RECONCILE_GRACE_MS);
  if (status === null) return options.deployment && old ? "session unknown" : null;
  if (TERMINAL_STATUSES.has(status)) return "session ended";
  if (status === "paused") return old ? "session paused" : null;
  return isNewest ? null : "incarnation superseded";
}

async function listOwn(
  client: Pick<DaytonaClient, "listSandboxes">,
  options: ReconcileOptions,
): Promise<Labelled[]> {
  const filter: Record<string, string> = options.deployment ? { [LABEL.deployment]: options.deployment } : {};
  const out: Labelled[] = [];
  const maxPages = options.maxPages ?? RECONCILE_MAX_PAGES;
  for (let page = 1; page <= maxPages; page++) {
    const answer = await client.listSandboxes(filter, page, RECONCILE_PAGE_SIZE);
    for (const sandbox of answer.items) {
      const labels = sandbox.labels;
      // The filter is Daytona's; checked again here, so a server ignoring it cannot widen the sweep.
      if ((labels[LABEL.deployment] ?? null) !== (options.deployment ?? null)) continue;
      if (sandbox.state === "destroyed" || sandbox.state === "destroying") continue;
      const tenant = labels[LABEL.tenant];
      const session = labels[LABEL.session];
      const incarnation = labels[LABEL.incarnation];
      if (!tenant || !session || !incarnation) continue;
      out.push({ sandbox, tenant, session, incarnation });
    }
    if (page >= answer.totalPages || answer.items.length === 0) break;
  }
  return out;
}
