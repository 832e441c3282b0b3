/**
 * Terminates Modal sandboxes Nightshift no longer needs, which a lost terminate, a crash between
 * create and record, or an ended session can leave running (and billing) until the app's lifetime
 * cap. The policy is the one every provider shares (../labelled-sweep.ts).
 * Modal's list gives no creation time; a sandbox's age is its incarnation's ULID time (a label
 * that is not a ULID reads as young: kept unless its session ended). The Modal app only ever
 * lists sandboxes carrying Nightshift's labels, so nothing else in the workspace is touched.
 */
import { decodeTime } from "ulid";
import {
  type LabelledSandbox,
  type RemovalReason,
  readLabels,
  type SessionLookup,
  sweepLabelled,
} from "../labelled-sweep";
import type { ModalSandbox } from "./modal-client";
import type { ModalSandboxProvider } from "./modal-provider";

export { RECONCILE_GRACE_MS, type SessionLookup } from "../labelled-sweep";

export interface ReconcileOptions {
  deployment?: string;
  now: number;
  graceMs?: number;
  maxTerminations?: number;
}

export interface ReconcileReport {
  /** Labelled sandboxes of this deployment looked at. */
  checked: number;
  terminated: { id: string; reason: RemovalReason }[];
  errors: number;
}

function createdAt(incarnation: string): number {
  try {
    return decodeTime(incarnation.toUpperCase());
  } catch {
    return Number.NaN;
  }
}

function labelled(sandboxes: ModalSandbox[], deployment: string | undefined): LabelledSandbox[] {
  const out: LabelledSandbox[] = [];
  for (const sandbox of sandboxes) {
    if (sandbox.state !== "running") continue;
    const identity = readLabels(sandbox.labels, deployment);
    if (identity) out.push({ id: sandbox.id, ...identity, createdAt: createdAt(identity.incarnation) });
  }
  return out;
}

export async function reconcileModalSandboxes(
  provider: Pick<ModalSandboxProvider, "listSandboxes" | "terminate">,
  sessions: SessionLookup,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const own = labelled(await provider.listSandboxes(), options.deployment);
  const { checked, removed, errors } = await sweepLabelled(own, sessions, (id) => provider.terminate(id), {
    ...options,
    ...(options.maxTerminations !== undefined ? { maxRemovals: options.maxTerminations } : {}),
  });
  return { checked, terminated: removed, errors };
}
