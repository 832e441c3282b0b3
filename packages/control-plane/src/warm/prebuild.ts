/**
 * Starts a prebuild: a session of its own (SessionAgent, so it waits for a sandbox slot in the
 * fair queue like any session, and its sandbox reaches the repository only through the git
 * proxy) with `prebuild: true` and no prompt. Its runtime clones the default branch and runs the
 * setup hook (NIGHTSHIFT_PREBUILD); when it is ready the DO snapshots it, records the snapshot
 * and stops (prebuild-session.ts). It has no row in the sessions index: it is not a user's work.
 */
import type { RepoRef } from "@nightshift/protocol";
import { ulid } from "ulid";
import { slotPolicyFrom } from "../capacity/limits";
import type { Bindings } from "../env";
import { requireConnectedRepository } from "../integrations/github/access";
import type { SessionGithubBinding } from "../session/store";

export interface PrebuildTarget {
  tenantId: string;
  repo: RepoRef;
  /** The user who enabled warm start: secrets are decrypted as for their sessions. */
  userId: string;
  provider: string;
  sessionId: string;
}

/** The agent named in a prebuild's environment; no agent runs in a prebuild. */
const PREBUILD_AGENT = "claude-code";

export function prebuildBranch(sessionId: string): string {
  return `nightshift/prebuild-${sessionId.slice(-8)}`;
}

export async function startPrebuild(env: Bindings, target: PrebuildTarget): Promise<void> {
  const { repo, tenantId, sessionId } = target;
  let github: SessionGithubBinding | null = null;
  if (repo.kind === "github") {
    // The git proxy fetches with the installation's token: the repository must still be connected.
    const row = await requireConnectedRepository(env, tenantId, repo);
    github = { installationId: row.installationId, repositoryId: row.id, issue: null, requestedBy: null };
  }
  const name = repo.kind === "github" ? `${repo.owner}/${repo.name}` : repo.path;
  const result = await env.SESSION_AGENT.getByName(sessionId).initialize({
    sessionId,
    tenantId,
    title: `Warm-start prebuild of ${name}`,
    repo,
    agent: PREBUILD_AGENT,
    model: null,
    branch: prebuildBranch(sessionId),
    baseBranch: null,
    allowForcePush: false,
    github,
    slots: slotPolicyFrom(env, target.provider),
    sandboxProvider: target.provider,
    createdBy: target.userId,
    prebuild: true,
  });
  if (!result.ok) throw new Error(result.message);
}

export function newPrebuildId(): string {
  return ulid().toLowerCase();
}
