/**
 * Terminates Modal sandboxes Nightshift no longer needs, which a lost terminate, a crash between
 * create and record, or an ended session can leave running (and billing) until the app's lifetime
 * cap. Same policy as the Daytona reconciler, so a deployment behaves alike on both:
 * - with NIGHTSHIFT_DEPLOYMENT set, only that deployment's sandboxes are listed, and one whose
 *   session this control plane does not know (in the labelled tenant) is terminated once older
 *   than the grace period;
 * - without it, only sandboxes with no deployment label are looked at, and one of an unknown
 *   session is left alone (it may be another unnamed deployment's);
 * - an ended session's sandboxes go at once, a paused one's past the grace period, and a session's
 *   sandboxes other than its newest incarnation always (incarnations are ULIDs: later sorts higher).
 * Modal's list gives no creation time; a sandbox's age is its incarnation's ULID time (a label
 * that is not a ULID reads as young: kept unless its session ended). The Modal app only ever
 * lists sandboxes carrying Nightshift's labels, so nothing else in the workspace is touched.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import { decodeTime } from "ulid";
import type { ModalSandbox } from "./modal-client";
import type { ModalSandboxProvider } from "./modal-provider";

/** Terminations per run (the next run continues). */
export const RECONCILE_MAX_TERMINATIONS = 50;
/** A sandbox younger than this is never terminated as unknown or paused: its session may still be recording it. */
export const RECONCILE_GRACE_MS = 10 * 60_000;

export interface SessionLookup {
  /** The session's status, or null when this control plane has no such session in that tenant. */
  status(tenantId: string, sessionId: string): Promise<SessionStatus | null>;
}

export interface ReconcileOptions {
  deployment?: string;
  now: number;
  graceMs?: number;
  maxTerminations?: number;
}

export type TerminateReason =
  | "session ended"
  | "session paused"
  | "incarnation superseded"
  | "session unknown";

export interface ReconcileReport {
  /** Labelled sandboxes of this deployment looked at. */
  checked: number;
  terminated: { id: string; reason: TerminateReason }[];
  errors: number;
}

interface Labelled {
  sandbox: ModalSandbox;
  tenant: string;
  session: string;
  incarnation: string;
}

function createdAt(incarnation: string): number {
  try {
    return decodeTime(incarnation.toUpperCase());
  } catch {
    return Number.NaN;
  }
}

function verdict(s: Labelled, status: SessionStatus | null, isNewest: boolean, options: ReconcileOptions) {
  const born = createdAt(s.incarnation);
  const old = Number.isFinite(born) && options.now - born >= (options.graceMs ?? RECONCILE_GRACE_MS);
  if (status === null) return options.deployment && old ? ("session unknown" as const) : null;
  if (TERMINAL_STATUSES.has(status)) return "session ended" as const;
  if (status === "paused") return old ? ("session paused" as const) : null;
  return isNewest ? null : ("incarnation superseded" as const);
}

function labelled(sandboxes: ModalSandbox[], deployment: string | undefined): Labelled[] {
  const out: Labelled[] = [];
  for (const sandbox of sandboxes) {
    const labels = sandbox.labels;
    // The app filters by label; checked again here, so an app ignoring the filter cannot widen the sweep.
    if ((labels["nightshift.deployment"] ?? undefined) !== deployment) continue;
    const tenant = labels["nightshift.tenant"];
    const session = labels["nightshift.session"];
    const incarnation = labels["nightshift.incarnation"];
    if (sandbox.state !== "running" || !tenant || !session || !incarnation) continue;
    out.push({ sandbox, tenant, session, incarnation });
  }
  return out;
}

export async function reconcileModalSandboxes(
  provider: Pick<ModalSandboxProvider, "listSandboxes" | "terminate">,
  sessions: SessionLookup,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const own = labelled(await provider.listSandboxes(), options.deployment);
  const newest = new Map<string, string>();
  for (const s of own) {
    const key = `${s.tenant}\u0000${s.session}`;
    const seen = newest.get(key);
    if (seen === undefined || s.incarnation > seen) newest.set(key, s.incarnation);
  }
  const statuses = new Map<string, Promise<SessionStatus | null>>();
  const report: ReconcileReport = { checked: own.length, terminated: [], errors: 0 };
  const max = options.maxTerminations ?? RECONCILE_MAX_TERMINATIONS;
  for (const s of own) {
    if (report.terminated.length >= max) break;
    const key = `${s.tenant}\u0000${s.session}`;
    let status = statuses.get(key);
    if (!status) {
      status = sessions.status(s.tenant, s.session);
      statuses.set(key, status);
    }
    let reason: TerminateReason | null;
    try {
      reason = verdict(s, await status, newest.get(key) === s.incarnation, options);
    } catch {
      report.errors++;
      continue;
    }
    if (!reason) continue;
    try {
      await provider.terminate(s.sandbox.id);
      report.terminated.push({ id: s.sandbox.id, reason });
    } catch {
      report.errors++;
    }
  }
  return report;
}
