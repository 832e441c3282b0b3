/**
 * Which sessions a withdrawal of access stops. A tenant or member revocation names no GitHub
 * scope and stops the session outright; an installation (or some of its repositories) stops only
 * sessions bound to it, which only the DO knows for sure (its GitHub binding).
 */
import type { SessionGithubBinding } from "./store";

export interface Revocation {
  /** Recorded as the stopped session's reason. */
  reason: string;
  installationId?: number;
  repositoryIds?: number[];
}

export function revocationApplies(github: SessionGithubBinding | null | undefined, r: Revocation): boolean {
  if (r.installationId !== undefined && github?.installationId !== r.installationId) return false;
  if (r.repositoryIds !== undefined && !r.repositoryIds.includes(github?.repositoryId ?? -1)) return false;
  return true;
}
