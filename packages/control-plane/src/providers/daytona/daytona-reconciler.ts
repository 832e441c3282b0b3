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
 * The verdicts are the shared policy (../labelled-sweep.ts). Unlabelled sandboxes are never touched.
 */

import {
  type LabelledSandbox,
  type RemovalReason,
  readLabels,
  SANDBOX_LABEL,
  type SessionLookup,
  sweepLabelled,
} from "../labelled-sweep";
import type { DaytonaClient } from "./daytona-client";

export type { SessionLookup } from "../labelled-sweep";

export const RECONCILE_PAGE_SIZE = 100;
/** Pages read per run (the next run continues with what is left). */
export const RECONCILE_MAX_PAGES = 10;

export interface ReconcileOptions {
  deployment?: string;
  now: number;
  graceMs?: number;
  maxPages?: number;
  maxDeletes?: number;
}

export interface ReconcileReport {
  /** Labelled sandboxes of this deployment looked at. */
  checked: number;
  deleted: { id: string; reason: RemovalReason }[];
  errors: number;
}

export async function reconcileDaytonaSandboxes(
  client: Pick<DaytonaClient, "listSandboxes" | "deleteSandbox">,
  sessions: SessionLookup,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const own = await listOwn(client, options);
  const remove = async (id: string) => void (await client.deleteSandbox(id));
  const { checked, removed, errors } = await sweepLabelled(own, sessions, remove, {
    ...options,
    ...(options.maxDeletes !== undefined ? { maxRemovals: options.maxDeletes } : {}),
  });
  return { checked, deleted: removed, errors };
}

async function listOwn(
  client: Pick<DaytonaClient, "listSandboxes">,
  options: ReconcileOptions,
): Promise<LabelledSandbox[]> {
  const filter: Record<string, string> = options.deployment
    ? { [SANDBOX_LABEL.deployment]: options.deployment }
    : {};
  const out: LabelledSandbox[] = [];
  const maxPages = options.maxPages ?? RECONCILE_MAX_PAGES;
  for (let page = 1; page <= maxPages; page++) {
    const answer = await client.listSandboxes(filter, page, RECONCILE_PAGE_SIZE);
    for (const sandbox of answer.items) {
      if (sandbox.state === "destroyed" || sandbox.state === "destroying") continue;
      const identity = readLabels(sandbox.labels, options.deployment);
      if (!identity) continue;
      // Without a creation time a sandbox is taken as young: kept unless its session has ended.
      const createdAt = sandbox.createdAt ? Date.parse(sandbox.createdAt) : Number.NaN;
      out.push({ id: sandbox.id, ...identity, createdAt });
    }
    if (page >= answer.totalPages || answer.items.length === 0) break;
  }
  return out;
}
