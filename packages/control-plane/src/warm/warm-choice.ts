/**
 * Which snapshot a new sandbox starts from: the repository's fresh warm snapshot on the
 * session's provider, when warm start is on for it and the provider can start from snapshots.
 * A snapshot the provider refuses to start from is marked failed (never offered again) and the
 * launcher starts cold, once.
 */
import { openDatabase } from "../db/client";
import { findWarmRepository, findWarmSnapshot, markUnusable } from "../db/repositories/warm";
import type { Bindings } from "../env";
import { deploymentDefaultProvider } from "../providers/availability";
import { createSandboxProvider } from "../providers/factory";
import { repoKeyOf } from "../secrets/sandbox-secrets";
import type { SessionMeta } from "../session/store";
import { freshSnapshot, maxAgeMs } from "./policy";

export interface WarmChoice {
  ref: string;
  commit: string;
  /** The provider would not start from it: mark it failed so no session tries it again. */
  refused(reason: string): Promise<void>;
}

export async function chooseWarmSnapshot(
  env: Bindings,
  meta: Pick<SessionMeta, "tenantId" | "repo" | "prebuild">,
  provider: string,
  now: number,
): Promise<WarmChoice | null> {
  if (meta.prebuild) return null;
  const db = openDatabase(env.DB);
  const repoKey = repoKeyOf(meta.repo);
  const warm = await findWarmRepository(db, meta.tenantId, repoKey);
  if (!warm?.enabled) return null;
  const fresh = freshSnapshot(
    await findWarmSnapshot(db, meta.tenantId, repoKey, provider),
    now,
    maxAgeMs(env),
  );
  if (!fresh) return null;
  return {
    ...fresh,
    refused: (reason) =>
      markUnusable(
        db,
        meta.tenantId,
        { repoKey, provider, ref: fresh.ref },
        `a session could not start from it: ${reason}`,
        new Date(now).toISOString(),
      ),
  };
}

/** The launcher's `warmSnapshot` as the deployment configures it (only providers that snapshot). */
export function warmSnapshotFor(env: Bindings): (meta: SessionMeta) => Promise<WarmChoice | null> {
  return async (meta) => {
    const name = meta.sandboxProvider ?? deploymentDefaultProvider(env);
    if (!createSandboxProvider(env, name).snapshot) return null;
    return chooseWarmSnapshot(env, meta, name, Date.now());
  };
}
