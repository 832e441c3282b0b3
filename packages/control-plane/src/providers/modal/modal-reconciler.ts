/**
 * Removes Modal sandboxes Nightshift no longer knows: a sandbox whose session ended, or one left
 * by an older incarnation (a retry, a resume), keeps running (and billing) until Modal's lifetime
 * cap otherwise. The app lists only sandboxes carrying Nightshift's labels (and this
 * deployment's, when NIGHTSHIFT_DEPLOYMENT is set), so nothing else in the workspace is touched.
 * Modal's list says nothing of a sandbox's age, so the sweep keeps its own sightings: a sandbox
 * first seen less than the grace period ago is spared (its launch may not be recorded yet).
 */
import type { ModalSandbox } from "./modal-client";
import type { ModalSandboxProvider } from "./modal-provider";

export interface SandboxOwner {
  tenantId: string;
  sessionId: string;
  incarnation: string;
}

export interface ReconcileOptions {
  /** True when this sandbox is the current incarnation of a live session of this tenant. */
  isCurrent: (owner: SandboxOwner) => Promise<boolean>;
  /**
   * When each listed sandbox was first seen (ms), kept by the caller between sweeps; the sweep
   * adds new ids and forgets ids no longer listed.
   */
  sightings: Map<string, number>;
  now?: () => number;
  /** How long a newly seen sandbox is spared (default 10 min). */
  graceMs?: number;
}

export interface ReconcileResult {
  kept: string[];
  terminated: string[];
  /** Sandboxes whose termination failed (retried on the next sweep), with the reason. */
  failed: { id: string; reason: string }[];
}

function ownerOf(sandbox: ModalSandbox): SandboxOwner | null {
  const tenantId = sandbox.labels["nightshift.tenant"];
  const sessionId = sandbox.labels["nightshift.session"];
  const incarnation = sandbox.labels["nightshift.incarnation"];
  return tenantId && sessionId && incarnation ? { tenantId, sessionId, incarnation } : null;
}

export async function reconcileModalSandboxes(
  provider: Pick<ModalSandboxProvider, "listSandboxes" | "terminate">,
  options: ReconcileOptions,
): Promise<ReconcileResult> {
  const now = options.now?.() ?? Date.now();
  const grace = options.graceMs ?? 10 * 60_000;
  const result: ReconcileResult = { kept: [], terminated: [], failed: [] };
  const listed = await provider.listSandboxes();
  const ids = new Set(listed.map((sandbox) => sandbox.id));
  for (const id of options.sightings.keys()) if (!ids.has(id)) options.sightings.delete(id);
  for (const sandbox of listed) {
    const owner = ownerOf(sandbox);
    const seen = options.sightings.get(sandbox.id) ?? now;
    options.sightings.set(sandbox.id, seen);
    if (!owner || now - seen < grace || (await options.isCurrent(owner))) {
      result.kept.push(sandbox.id);
      continue;
    }
    try {
      await provider.terminate(sandbox.id);
      result.terminated.push(sandbox.id);
    } catch (err) {
      result.failed.push({ id: sandbox.id, reason: err instanceof Error ? err.message : "terminate failed" });
    }
  }
  return result;
}
