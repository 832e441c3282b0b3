/**
 * The Daytona reconcilers as the Worker's cron runs them (maintenance/scheduled.ts): only when
 * this deployment uses Daytona. Sandboxes: sessions are looked up in D1, scoped by the tenant each
 * sandbox is labelled with. Snapshots: by the session id and warm-start ref their names carry.
 */

import { openDatabase } from "../../db/client";
import { findSession, sessionStatusAcrossTenants } from "../../db/repositories/sessions";
import { isWarmSnapshotInUse } from "../../db/repositories/warm";
import type { Bindings } from "../../env";
import { availableProviders, deploymentDefaultProvider } from "../availability";
import { DaytonaClient } from "./daytona-client";
import { daytonaConfigFrom } from "./daytona-config";
import { classifyDaytonaError } from "./daytona-errors";
import type { DaytonaProviderConfig } from "./daytona-provider";
import { type ReconcileReport, reconcileDaytonaSandboxes } from "./daytona-reconciler";
import { type SnapshotSweepReport, sweepDaytonaSnapshots } from "./daytona-snapshot-sweep";
import { deploymentTag } from "./daytona-snapshots";

/** null when this deployment does not use Daytona. `fetchImpl` stands in for the network in tests. */
export function sweepDaytonaSandboxes(
  env: Bindings,
  now: number,
  fetchImpl?: typeof fetch,
): Promise<ReconcileReport | null> {
  return withDaytona(env, fetchImpl, (client, config) => {
    const db = openDatabase(env.DB);
    return reconcileDaytonaSandboxes(
      client,
      { status: async (tenantId, sessionId) => (await findSession(db, tenantId, sessionId))?.status ?? null },
      { now, ...(config.deployment ? { deployment: config.deployment } : {}) },
    );
  });
}

/** null when this deployment does not use Daytona. */
export function sweepDaytonaSnapshotOrphans(
  env: Bindings,
  now: number,
  fetchImpl?: typeof fetch,
): Promise<SnapshotSweepReport | null> {
  return withDaytona(env, fetchImpl, async (client, config) => {
    const db = openDatabase(env.DB);
    return sweepDaytonaSnapshots(
      client,
      {
        sessionStatus: (sessionId) => sessionStatusAcrossTenants(db, sessionId),
        warmInUse: (ref) => isWarmSnapshotInUse(db, ref),
      },
      { deploymentTag: await deploymentTag(config.deployment), named: Boolean(config.deployment), now },
    );
  });
}

async function withDaytona<T>(
  env: Bindings,
  fetchImpl: typeof fetch | undefined,
  sweep: (client: DaytonaClient, config: DaytonaProviderConfig) => Promise<T>,
): Promise<T | null> {
  // Also when only some tenants chose Daytona (Settings → Sandboxes): theirs need sweeping too.
  if (deploymentDefaultProvider(env) !== "daytona" && !availableProviders(env).includes("daytona"))
    return null;
  const config = daytonaConfigFrom(env);
  const client = new DaytonaClient({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  try {
    return await sweep(client, config);
  } catch (err) {
    // The maintenance log says why in words, never with the key.
    throw classifyDaytonaError(err, {
      apiUrl: config.apiUrl,
      snapshot: config.snapshot,
      secrets: [config.apiKey],
    });
  }
}
