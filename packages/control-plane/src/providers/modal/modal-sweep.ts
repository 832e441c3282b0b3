/**
 * The Modal reconcilers as the Worker's cron runs them (maintenance/scheduled.ts): only when this
 * deployment uses Modal. Sandboxes: sessions are looked up in D1, scoped by the tenant each sandbox
 * is labelled with. Snapshots: by the session id and warm-start ref their names carry.
 */
import { openDatabase } from "../../db/client";
import { findSession, sessionStatusAcrossTenants } from "../../db/repositories/sessions";
import { isWarmSnapshotInUse } from "../../db/repositories/warm";
import type { Bindings } from "../../env";
import { availableProviders, deploymentDefaultProvider } from "../availability";
import { deploymentTag } from "../daytona/daytona-snapshots";
import type { SnapshotSweepReport } from "../snapshot-sweep";
import { modalConfigFrom } from "./modal-config";
import { ModalSandboxProvider } from "./modal-provider";
import { type ReconcileReport, reconcileModalSandboxes } from "./modal-reconciler";
import { sweepModalSnapshots } from "./modal-snapshot-sweep";

/** null when this deployment does not use Modal. */
export async function sweepModalSandboxes(env: Bindings, now: number): Promise<ReconcileReport | null> {
  const provider = modalProvider(env);
  if (!provider) return null;
  const db = openDatabase(env.DB);
  // The provider's errors are already in words without the token: the maintenance log may show them.
  return reconcileModalSandboxes(
    provider.provider,
    { status: async (tenantId, sessionId) => (await findSession(db, tenantId, sessionId))?.status ?? null },
    { now, ...(provider.deployment ? { deployment: provider.deployment } : {}) },
  );
}

/** null when this deployment does not use Modal. `fetchImpl` stands in for the network in tests. */
export async function sweepModalSnapshotOrphans(
  env: Bindings,
  now: number,
  fetchImpl?: typeof fetch,
): Promise<SnapshotSweepReport | null> {
  const provider = modalProvider(env, fetchImpl);
  if (!provider) return null;
  const db = openDatabase(env.DB);
  return sweepModalSnapshots(
    provider.provider,
    {
      sessionStatus: (sessionId) => sessionStatusAcrossTenants(db, sessionId),
      warmInUse: (ref) => isWarmSnapshotInUse(db, ref),
    },
    { deploymentTag: await deploymentTag(provider.deployment), named: Boolean(provider.deployment), now },
  );
}

function modalProvider(
  env: Bindings,
  fetchImpl?: typeof fetch,
): { provider: ModalSandboxProvider; deployment: string | undefined } | null {
  // Also when only some tenants chose Modal (Settings → Sandboxes): their sandboxes need sweeping too.
  if (deploymentDefaultProvider(env) !== "modal" && !availableProviders(env).includes("modal")) return null;
  const config = modalConfigFrom(env);
  return {
    provider: new ModalSandboxProvider({ ...config, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
    deployment: config.deployment,
  };
}
