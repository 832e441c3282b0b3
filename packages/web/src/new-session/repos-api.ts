/**
 * The repositories a session can start on: the tenant's GitHub repos (through its App
 * installation) or, in local mode, the git repositories under the local root. Read from
 * `GET /api/v1/tenants/:tenant/repos`; while the Worker has no such route (404) the form asks for the repo by hand.
 */
import { RepoRef } from "@nightshift/protocol";
import { z } from "zod";
import { ApiError, apiRequest, tenantPath } from "../api/http-client";

const RepoEntry = z.object({
  repo: RepoRef,
  defaultBranch: z.string().nullish(),
  description: z.string().nullish(),
});
export type RepoEntry = z.infer<typeof RepoEntry>;

const ReposResponse = z.object({ repos: z.array(RepoEntry) });

export type RepoList = { available: true; repos: RepoEntry[] } | { available: false };

export const reposKey = ["repos"] as const;

export async function fetchRepos(signal?: AbortSignal): Promise<RepoList> {
  try {
    const res = await apiRequest(tenantPath("/repos"), ReposResponse, signal ? { signal } : {});
    return { available: true, repos: res.repos };
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound) return { available: false };
    throw err;
  }
}

export function repoKey(repo: RepoRef): string {
  return repo.kind === "local" ? `local:${repo.path}` : `github:${repo.owner}/${repo.name}`;
}

/**
 * Reads a repository typed by hand: a local path (relative to the Worker's local root), or for
 * GitHub "owner/name" or its URL. Returns a message that says how to fix it when it cannot be used.
 */
export function parseRepoInput(
  kind: RepoRef["kind"],
  raw: string,
): { ok: true; repo: RepoRef } | { ok: false; message: string } {
  const text = raw.trim();
  if (!text) return { ok: false, message: "Choose or type a repository." };
  let candidate: unknown;
  if (kind === "local") {
    candidate = { kind: "local", path: text.replace(/^\.\/+/, "") };
  } else {
    const m = /^(?:https?:\/\/github\.com\/)?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(text);
    if (!m) return { ok: false, message: 'Type the GitHub repository as "owner/name".' };
    candidate = { kind: "github", owner: m[1], name: m[2] };
  }
  const parsed = RepoRef.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.at(-1);
    return {
      ok: false,
      message: `Repository ${field ? `${String(field)} ` : ""}${issue?.message ?? "is not valid"}.`,
    };
  }
  return { ok: true, repo: parsed.data };
}
