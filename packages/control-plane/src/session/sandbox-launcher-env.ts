/**
 * The runtime's repository environment, resolved by the control plane so a sandbox provider only
 * creates and terminates: the git remote is this control plane's git proxy for the session's
 * repository (`<control plane>/sandbox/git/github/<owner>/<name>.git` or
 * `.../sandbox/git/local/<path>.git`), and the workdir and state dir are the fixed paths every
 * sandbox has (protocol's SANDBOX_WORKDIR / SANDBOX_STATE_DIR). The sandbox never gets a forge
 * URL or credential: the proxy holds those.
 */
import { type RepoRef, SANDBOX_GIT_PATH, SANDBOX_STATE_DIR, SANDBOX_WORKDIR } from "@nightshift/protocol";

/** Each segment percent-encoded; the slashes between segments kept (a local path may have several). */
function encodedPath(segments: readonly string[]): string {
  return segments.map((segment) => encodeURIComponent(segment)).join("/");
}

/** The git remote of `repo` on the control plane at `controlPlaneUrl` (its base path kept). */
export function gitProxyUrl(controlPlaneUrl: string, repo: RepoRef): string {
  const base = controlPlaneUrl.replace(/\/+$/, "");
  const key =
    repo.kind === "github"
      ? `github/${encodedPath([repo.owner, repo.name])}`
      : `local/${encodedPath(repo.path.split("/").filter((segment) => segment.length > 0))}`;
  return `${base}${SANDBOX_GIT_PATH}/${key}.git`;
}

export interface SandboxRepoEnv {
  NIGHTSHIFT_REPO_URL: string;
  NIGHTSHIFT_WORKDIR: string;
  NIGHTSHIFT_STATE_DIR: string;
}

export function sandboxRepoEnv(controlPlaneUrl: string, repo: RepoRef): SandboxRepoEnv {
  return {
    NIGHTSHIFT_REPO_URL: gitProxyUrl(controlPlaneUrl, repo),
    NIGHTSHIFT_WORKDIR: SANDBOX_WORKDIR,
    NIGHTSHIFT_STATE_DIR: SANDBOX_STATE_DIR,
  };
}
