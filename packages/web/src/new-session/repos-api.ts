/**
 * The repositories a session can start on: the tenant's GitHub repos (through its App
 * installation) or, in local mode, the git repositories under the local root. Read from
 * `GET /api/v1/tenants/:tenant/repositories`; where the Worker has no such route (404) the form asks
 * for the repo by hand.
 */
import { ListRepositoriesResponse, RepoRef } from "@nightshift/protocol";
import type { z } from "zod";
import { ApiError, apiRequest, tenantPath } from "../api/http-client";

export type RepoEntry = z.infer<typeof ListRepositoriesResponse>["repositories"][number];

export type RepoList = { available: true; repos: RepoEntry[] } | { available: false };

export const reposKey = ["repos"] as const;

export async function fetchRepos(signal?: AbortSignal): Promise<RepoList> {
  try {
    const res = await apiRequest(
      tenantPath("/repositories"),
      ListRepositoriesResponse,
      signal ? { signal } : {},
    );
    return { available: true, repos: res.repositories };
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
