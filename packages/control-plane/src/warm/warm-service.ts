/**
 * The warm-start API's use cases: members read which repositories have warm start and the state
 * of their snapshots; admins turn it on or off per repository (audited; turning it on starts the
 * first prebuild) and ask for a rebuild. Every read and write names the caller's tenant.
 */
import type {
  PutWarmStartRequest,
  RebuildWarmStartRequest,
  RebuildWarmStartResponse,
  RepoRef,
  WarmStartView,
} from "@nightshift/protocol";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import {
  findWarmRepository,
  listWarmRepositories,
  listWarmSnapshots,
  putWarmRepository,
  removeWarmSnapshots,
} from "../db/repositories/warm";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { requireConnectedRepository } from "../integrations/github/access";
import { createSandboxProvider } from "../providers/factory";
import { repoKeyOf } from "../secrets/sandbox-secrets";
import { authorize } from "../tenancy/permissions";
import { freshSnapshot, maxAgeMs } from "./policy";
import { warmPoolName } from "./warm-pool";

const STATES = new Set(["building", "ready", "failed"] as const);
type State = "building" | "ready" | "failed";

export async function getWarmStart(env: Bindings, actor: Actor): Promise<WarmStartView> {
  authorize(actor, "tenant.read");
  const db = openDatabase(env.DB);
  const [repositories, snapshots] = await Promise.all([
    listWarmRepositories(db, actor.tenantId),
    listWarmSnapshots(db, actor.tenantId),
  ]);
  const maxAge = maxAgeMs(env);
  const now = Date.now();
  return {
    maxAgeHours: maxAge / 3_600_000,
    repositories: repositories.map((r) => ({
      repo: r.repo,
      enabled: r.enabled,
      updatedAt: r.updatedAt,
      snapshots: snapshots
        .filter((s) => s.repoKey === r.repoKey)
        .map((s) => ({
          provider: s.provider,
          state: STATES.has(s.state as State) ? (s.state as State) : "failed",
          reason: s.reason,
          commit: s.commit,
          builtAt: s.builtAt,
          fresh: freshSnapshot(s, now, maxAge) !== null,
        })),
    })),
  };
}

/** A repository this tenant may run sessions on (connected on GitHub; local ones only in local mode). */
async function checkRepository(env: Bindings, tenantId: string, repo: RepoRef): Promise<void> {
  if (repo.kind === "github") await requireConnectedRepository(env, tenantId, repo);
  else if (env.NIGHTSHIFT_MODE !== "local")
    throw new AppError("invalid_request", "local repositories exist only in local mode");
}

function poolOf(env: Bindings, tenantId: string, repoKey: string) {
  return env.WARM_POOL.getByName(warmPoolName(tenantId, repoKey));
}

export async function setWarmStart(
  env: Bindings,
  actor: Actor,
  request: PutWarmStartRequest,
): Promise<WarmStartView> {
  authorize(actor, "settings.manage");
  const { repo, enabled } = request;
  if (enabled) await checkRepository(env, actor.tenantId, repo);
  const db = openDatabase(env.DB);
  const repoKey = repoKeyOf(repo);
  await putWarmRepository(
    db,
    actor.tenantId,
    { repo, repoKey, enabled },
    actor.userId,
    new Date().toISOString(),
  );
  await recordAudit(db, actor.tenantId, actor, {
    action: "settings.sandbox_changed",
    target: { type: "tenant", id: actor.tenantId },
    detail: { warmStart: `${repoKey}=${enabled ? "on" : "off"}` },
  });
  const pool = poolOf(env, actor.tenantId, repoKey);
  if (enabled) await pool.trigger({ tenantId: actor.tenantId, repoKey, reason: "enabled" });
  else {
    await pool.disable({ tenantId: actor.tenantId, repoKey });
    await forgetSnapshots(env, actor.tenantId, repoKey);
  }
  return getWarmStart(env, actor);
}

/**
 * Off means gone: the snapshots (a checkout and whatever the setup hook wrote) are deleted from
 * their providers, best effort (a provider that cannot be reached keeps it until its own pruning).
 */
async function forgetSnapshots(env: Bindings, tenantId: string, repoKey: string): Promise<void> {
  const refs = await removeWarmSnapshots(openDatabase(env.DB), tenantId, repoKey);
  for (const { provider, ref } of refs) {
    try {
      await createSandboxProvider(env, provider).deleteSnapshot?.(ref);
    } catch {
      // Unreachable or unknown provider: its store prunes old snapshots itself.
    }
  }
}

export async function rebuildWarmStart(
  env: Bindings,
  actor: Actor,
  request: RebuildWarmStartRequest,
): Promise<RebuildWarmStartResponse> {
  authorize(actor, "settings.manage");
  const repoKey = repoKeyOf(request.repo);
  const warm = await findWarmRepository(openDatabase(env.DB), actor.tenantId, repoKey);
  if (!warm?.enabled)
    throw new AppError(
      "conflict",
      "warm start is off for this repository; turn it on first (PUT …/warm-start)",
    );
  const result = await poolOf(env, actor.tenantId, repoKey).trigger({
    tenantId: actor.tenantId,
    repoKey,
    reason: "demand",
  });
  return result.started ? { started: true } : { started: false, reason: result.why };
}
