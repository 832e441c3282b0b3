/**
 * Checks a request's RepoRef against what this host serves. A local repository must exist under
 * the configured root (checked after resolving symlinks, so a link cannot lead out of it); the
 * host mirrors it (repo-mirror.ts) and serves the mirror to the control plane's git proxy, never
 * to the sandbox. A GitHub repository needs nothing from the host: the sandbox reaches it only
 * through the control plane's git proxy, whose URL the control plane sends.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { RepoRef } from "@nightshift/protocol";
import { HostError } from "../http/host-error";

export type ResolvedRepo =
  | { kind: "github" }
  | {
      kind: "local";
      /** The repository's real path under the root (a worktree or a bare repository). */
      path: string;
      /** Its git directory, which the host mirrors and fetches into; never bound into a sandbox. */
      gitDir: string;
    };

export function resolveRepo(repo: RepoRef, options: { reposRoot?: string | undefined }): ResolvedRepo {
  if (repo.kind === "github") return { kind: "github" };
  if (!options.reposRoot) {
    throw new HostError(
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
      "invalid_request",
      `repository "${repo.path}" was not found under the repositories root`,
    );
  }
  if (!isUnder(root, real)) {
    throw new HostError(
      "invalid_request",
      `repository "${repo.path}" resolves outside the repositories root`,
    );
  }
  if (!statSync(real).isDirectory()) {
    throw new HostError("invalid_request", `repository "${repo.path}" is not a directory`);
  }
  const dotGit = join(real, ".git");
  if (existsSync(dotGit) && statSync(dotGit).isDirectory()) {
    // A .git that is a link to elsewhere would make the host fetch into a repository outside the root.
    const gitDir = realpathSync(dotGit);
    if (!isUnder(root, gitDir)) {
      throw new HostError(
        "invalid_request",
        `repository "${repo.path}" has a .git that resolves outside the repositories root`,
      );
    }
    return { kind: "local", path: real, gitDir };
  }
  if (existsSync(join(real, "HEAD")) && existsSync(join(real, "objects")))
    return { kind: "local", path: real, gitDir: real };
  throw new HostError("invalid_request", `"${repo.path}" is not a git repository (no .git directory)`);
}

function isUnder(root: string, path: string): boolean {
  return path === root || path.startsWith(`${root}${sep}`);
}
