/**
 * When access is withdrawn (a tenant deleted, a member removed, a GitHub installation unlinked
 * or some of its repositories removed from it),
 * the sessions that access started are stopped: each DO turns the session `stopped` with the
 * reason, terminates its sandbox, and from then on refuses the sandbox's bridge and git
 * credential calls, since both check the session's terminal status.
 */
import { openDatabase } from "../db/client";
import { listLiveSessions } from "../db/repositories/sessions";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import type { Revocation } from "../session/revocation";

export type RevocationScope =
  | { kind: "tenant" }
  | { kind: "member"; userId: string }
  | { kind: "installation"; installationId: number }
  | { kind: "repositories"; installationId: number; repositoryIds: number[] };

export const REVOKED_REASON: Record<RevocationScope["kind"], string> = {
  tenant: "stopped because the tenant was deleted",
  member: "stopped because the member who started it was removed from the tenant",
  installation: "stopped because the GitHub installation was disconnected",
  repositories: "stopped because the repository was removed from the GitHub installation",
};

/** Stops every live session in the scope; returns how many stopped and how many calls failed. */
export async function stopSessionsInScope(
  env: Bindings,
  tenantId: string,
  scope: RevocationScope,
): Promise<{ stopped: number; failed: number }> {
  const live = await listLiveSessions(
    openDatabase(env.DB),
    tenantId,
    scope.kind === "member" ? { createdBy: scope.userId } : {},
  );
  const github = scope.kind === "installation" || scope.kind === "repositories";
  const candidates = github ? live.filter((s) => s.repo.kind === "github") : live;
  const revoked: Revocation = {
    reason: REVOKED_REASON[scope.kind],
    ...(github ? { installationId: scope.installationId } : {}),
    ...(scope.kind === "repositories" ? { repositoryIds: scope.repositoryIds } : {}),
  };
  const results = await Promise.allSettled(
    candidates.map((s) => env.SESSION_AGENT.getByName(s.id).stop(tenantId, revoked)),
  );
  let stopped = 0;
  let failed = 0;
  for (const r of results) {
    if (r.status === "fulfilled" && r.value.ok) {
      if (r.value.value.status === "stopped") stopped++;
    } else if (r.status === "rejected") failed++;
  }
  return { stopped, failed };
}

/** As stopSessionsInScope, but a session that could not be stopped is a 503 the caller can retry. */
export async function requireSessionsStopped(
  env: Bindings,
  tenantId: string,
  scope: RevocationScope,
): Promise<number> {
  const { stopped, failed } = await stopSessionsInScope(env, tenantId, scope);
  if (failed > 0)
    throw new AppError(
      "upstream_unavailable",
      `${failed} running session(s) could not be stopped just now; try again in a moment`,
    );
  return stopped;
}
