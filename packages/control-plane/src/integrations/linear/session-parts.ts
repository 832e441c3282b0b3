/**
 * The deployment's bindings turned into what the session DO's Linear side uses, so SessionLinear
 * never sees `Bindings` or D1 and a unit test can hand it plain functions.
 */
import { openDatabase } from "../../db/client";
import { findLinearInstallation } from "../../db/repositories/linear";
import type { Bindings } from "../../env";
import type { MetaStore } from "../../session/meta-store";
import type { Scheduler } from "../../session/scheduler";
import { linearConfigOrNull } from "./config";
import { senderFor } from "./router";
import { SessionLinear } from "./session-linear";

const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

export function sessionLinearFor(
  env: Bindings,
  meta: MetaStore,
  scheduler: Pick<Scheduler, "set">,
  pullPending: () => boolean,
  now: () => number,
): SessionLinear {
  return new SessionLinear({
    meta,
    scheduler,
    publicUrl: env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL,
    async sender(session, binding) {
      if (!linearConfigOrNull(env)) return null;
      const row = await findLinearInstallation(openDatabase(env.DB), binding.organizationId);
      // An organization now held by another tenant never gets this tenant's session.
      if (!row || row.tenantId !== session.tenantId) return null;
      return senderFor(env, row);
    },
    pullPending,
    now,
    newId: () => crypto.randomUUID(),
  });
}
