/**
 * The Modal reconciler as the Worker's cron runs it (maintenance/scheduled.ts): only when
 * SANDBOX_PROVIDER is modal; sessions are looked up in D1, scoped by the tenant each sandbox is
 * labelled with.
 */

import { openDatabase } from "../../db/client";
import { findSession } from "../../db/repositories/sessions";
import type { Bindings } from "../../env";
import { availableProviders, deploymentDefaultProvider } from "../availability";
import { modalConfigFrom } from "./modal-config";
import { ModalSandboxProvider } from "./modal-provider";
import { type ReconcileReport, reconcileModalSandboxes } from "./modal-reconciler";

/** null when this deployment does not use Modal. */
export async function sweepModalSandboxes(env: Bindings, now: number): Promise<ReconcileReport | null> {
  // Also when only some tenants chose Modal (Settings → Sandboxes): their sandboxes need sweeping too.
  if (deploymentDefaultProvider(env) !== "modal" && !availableProviders(env).includes("modal")) return null;
  const config = modalConfigFrom(env);
  const db = openDatabase(env.DB);
  // The provider's errors are already in words without the token: the maintenance log may show them.
  return reconcileModalSandboxes(
    new ModalSandboxProvider(config),
    { status: async (tenantId, sessionId) => (await findSession(db, tenantId, sessionId))?.status ?? null },
    { now, ...(config.deployment ? { deployment: config.deployment } : {}) },
  );
}
