/**
 * Turns a request's RepoRef into what the sandbox clones: a local repository must exist under
 * the configured root (checked after resolving symlinks, so a link cannot lead out of it) and
 * is reached only through a mirror (repo-mirror.ts); a GitHub repository becomes an https URL
 * on the configured GitHub host.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { RepoRef } from "@nightshift/protocol";
import { HostError } from "../http/host-error";

export type ResolvedRepo =
  | { kind: "github" /** NIGHTSHIFT_REPO_URL for the runtime. */; url: string }
  | {
      kind: "local";
      /** The repository's real path under the root (a worktree or a bare repository). */
      path: string;
      /** Its git directory, which the host mirrors and fetches into; never bound into a sandbox. */
      gitDir: string;
    };

export function resolveRepo(
  repo: RepoRef,
  options: { reposRoot?: string | undefined; githubUrl: string },
): ResolvedRepo {
  if (repo.kind === "github") {
    return { kind: "github", url: `${options.githubUrl.replace(/\/+$/, "")}/${repo.owner}/${repo.name}.git` };
  }
  if (!options.reposRoot) {
    throw new HostError(
      400,
      "invalid_request",
      "this sandbox host serves no local repositories; start it with --repos-root",
    );
  }
  const root = realpathSync(options.reposRoot);
  const candidate = resolve(root, repo.path);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw new HostError(
      400,
      "invalid_request",
      `repository "${repo.path}" was not found under the repositories root`,
    );
  }
  if (!isUnder(root, real)) {
    throw new HostError(
      400,
      "invalid_request",
      `repository "${repo.path}" resolves outside the repositories root`,
    );
  }
  if (!statSync(real).isDirectory()) {
    throw new HostError(400, "invalid_request", `repository "${repo.path}" is not a directory`);
  }
  const dotGit = join(real, ".git");
  if (existsSync(dotGit) && statSync(dotGit).isDirectory()) {
    // A .git that is a link to elsewhere would make the host fetch into a repository outside the root.
    const gitDir = realpathSync(dotGit);
    if (!isUnder(root, gitDir)) {
      throw new HostError(
        400,
        "invalid_request",
        `repository "${repo.path}" has a .git that resolves outside the repositories root`,
      );
    }
    return { kind: "local", path: real, gitDir };
  }
  if (existsSync(join(real, "HEAD")) && existsSync(join(real, "objects")))
    return { kind: "local", path: real, gitDir: real };
  throw new HostError(400, "invalid_request", `"${repo.path}" is not a git repository (no .git directory)`);
}

function isUnder(root: string, path: string): boolean {
  return path === root || path.startsWith(`${root}${sep}`);
}
