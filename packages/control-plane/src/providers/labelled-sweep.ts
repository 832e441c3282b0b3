/**
 * The one reconcile policy every cloud provider's sweep follows, so a deployment behaves alike on
 * each: only sandboxes carrying Nightshift's labels are judged (the provider lists them), and
 * - an ended session's sandboxes go at once, a paused one's once older than the grace period;
 * - a session's sandboxes other than its newest incarnation always (incarnations are ULIDs: later
 *   sorts higher);
 * - one whose session this control plane does not know (in the labelled tenant) only when the
 *   deployment is named (NIGHTSHIFT_DEPLOYMENT) and past the grace: without a name it may be another
 *   unnamed deployment's.
 * A sandbox whose age is unknown counts as young. Removals per run are capped (the next run
 * continues); a failed lookup or removal is counted, never thrown.
 */
import { type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";

/** A sandbox younger than this is never removed as unknown or paused: its session may still be recording it. */
export const RECONCILE_GRACE_MS = 10 * 60_000;
/** Removals per run. */
export const RECONCILE_MAX_REMOVALS = 50;

/** The labels every provider attaches (CreateSandboxInput.labels). */
export const SANDBOX_LABEL = {
  deployment: "nightshift.deployment",
  tenant: "nightshift.tenant",
  session: "nightshift.session",
  incarnation: "nightshift.incarnation",
} as const;

export interface SessionLookup {
  /** The session's status, or null when this control plane has no such session in that tenant. */
  status(tenantId: string, sessionId: string): Promise<SessionStatus | null>;
}

export interface LabelledSandbox {
  id: string;
  tenant: string;
  session: string;
  incarnation: string;
  /** Milliseconds since the epoch; NaN when the provider does not say. */
  createdAt: number;
}

export interface SweepOptions {
  deployment?: string;
  now: number;
  graceMs?: number;
  maxRemovals?: number;
}

export type RemovalReason = "session ended" | "session paused" | "incarnation superseded" | "session unknown";

export interface SweepResult {
  checked: number;
  removed: { id: string; reason: RemovalReason }[];
  errors: number;
}

/** The labelled sandbox's identity, or null when a label is missing or it belongs to another deployment. */
export function readLabels(
  labels: Record<string, string>,
  deployment: string | undefined,
): Pick<LabelledSandbox, "tenant" | "session" | "incarnation"> | null {
  // Providers filter by label too; checked again here, so a server ignoring the filter cannot widen the sweep.
  if ((labels[SANDBOX_LABEL.deployment] ?? undefined) !== (deployment || undefined)) return null;
  const tenant = labels[SANDBOX_LABEL.tenant];
  const session = labels[SANDBOX_LABEL.session];
  const incarnation = labels[SANDBOX_LABEL.incarnation];
  return tenant && session && incarnation ? { tenant, session, incarnation } : null;
}

function removalReason(
  s: LabelledSandbox,
  status: SessionStatus | null,
  isNewest: boolean,
  options: SweepOptions,
): RemovalReason | null {
  const old =
    Number.isFinite(s.createdAt) && options.now - s.createdAt >= (options.graceMs ?? RECONCILE_GRACE_MS);
  if (status === null) return options.deployment && old ? "session unknown" : null;
  if (TERMINAL_STATUSES.has(status)) return "session ended";
  if (status === "paused") return old ? "session paused" : null;
  return isNewest ? null : "incarnation superseded";
}

export async function sweepLabelled(
  sandboxes: LabelledSandbox[],
  sessions: SessionLookup,
  remove: (id: string) => Promise<void>,
  options: SweepOptions,
): Promise<SweepResult> {
  const sessionKey = (s: LabelledSandbox) => `${s.tenant}\u0000${s.session}`;
  const newest = new Map<string, string>();
  for (const s of sandboxes) {
    const seen = newest.get(sessionKey(s));
    if (seen === undefined || s.incarnation > seen) newest.set(sessionKey(s), s.incarnation);
  }
  const statuses = new Map<string, Promise<SessionStatus | null>>();
  const result: SweepResult = { checked: sandboxes.length, removed: [], errors: 0 };
  const max = options.maxRemovals ?? RECONCILE_MAX_REMOVALS;
  for (const s of sandboxes) {
    if (result.removed.length >= max) break;
    const key = sessionKey(s);
    let status = statuses.get(key);
    if (!status) {
      status = sessions.status(s.tenant, s.session);
      statuses.set(key, status);
    }
    let reason: RemovalReason | null;
    try {
      reason = removalReason(s, await status, newest.get(key) === s.incarnation, options);
    } catch {
      result.errors++;
      continue;
    }
    if (!reason) continue;
    try {
      await remove(s.id);
      result.removed.push({ id: s.id, reason });
    } catch {
      result.errors++;
    }
  }
  return result;
}
