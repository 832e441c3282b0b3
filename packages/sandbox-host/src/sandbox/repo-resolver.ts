/**
 * Turns a request's RepoRef into what the sandbox clones: a local repository must exist under
 * the configured root (checked after resolving symlinks, so a link cannot lead out of it); a
 * GitHub repository becomes an https URL on the configured GitHub host.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { RepoRef } from "@nightshift/protocol";
import { HostError } from "../http/host-error";

export interface ResolvedRepo {
  /** NIGHTSHIFT_REPO_URL for the runtime. */
  url: string;
  /** A local repository's git directory, bound read-write into the sandbox so pushes land; null for remote. */
  writablePath: string | null;
}

export function resolveRepo(
  repo: RepoRef,
  options: { reposRoot?: string | undefined; githubUrl: string },
): ResolvedRepo {
  if (repo.kind === "github") {
    return {
      url: `${options.githubUrl.replace(/\/+$/, "")}/${repo.owner}/${repo.name}.git`,
      writablePath: null,
    };
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
  if (real !== root && !real.startsWith(`${root}${sep}`)) {
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
  if (existsSync(dotGit) && statSync(dotGit).isDirectory()) return { url: real, writablePath: dotGit };
  if (existsSync(join(real, "HEAD")) && existsSync(join(real, "objects")))
    return { url: real, writablePath: real };
  throw new HostError(400, "invalid_request", `"${repo.path}" is not a git repository (no .git directory)`);
}
