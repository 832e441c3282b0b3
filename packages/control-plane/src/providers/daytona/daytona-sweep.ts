/**
 * The Daytona reconciler as the Worker's cron runs it (maintenance/scheduled.ts): only when
 * SANDBOX_PROVIDER is daytona; sessions are looked up in D1, scoped by the tenant each sandbox is
 * labelled with.
 */

import { openDatabase } from "../../db/client";
import { findSession } from "../../db/repositories/sessions";
import type { Bindings } from "../../env";
import { availableProviders, deploymentDefaultProvider } from "../availability";
import { DaytonaClient } from "./daytona-client";
import { daytonaConfigFrom } from "./daytona-config";
import { classifyDaytonaError } from "./daytona-errors";
import { type ReconcileReport, reconcileDaytonaSandboxes } from "./daytona-reconciler";

/** null when this deployment does not use Daytona. `fetchImpl` stands in for the network in tests. */
export async function sweepDaytonaSandboxes(
  env: Bindings,
  now: number,
  fetchImpl?: typeof fetch,
): Promise<ReconcileReport | null> {
  // Also when only some tenants chose Daytona (Settings → Sandboxes): their sandboxes need sweeping too.
  if (deploymentDefaultProvider(env) !== "daytona" && !availableProviders(env).includes("daytona"))
    return null;
  const config = daytonaConfigFrom(env);
  const client = new DaytonaClient({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  const db = openDatabase(env.DB);
  try {
    return await reconcileDaytonaSandboxes(
      client,
      { status: async (tenantId, sessionId) => (await findSession(db, tenantId, sessionId))?.status ?? null },
      { now, ...(config.deployment ? { deployment: config.deployment } : {}) },
    );
  } catch (err) {
    // The maintenance log says why in words, never with the key.
    throw classifyDaytonaError(err, {
      apiUrl: config.apiUrl,
      snapshot: config.snapshot,
      secrets: [config.apiKey],
    });
  }
}
