/**
 * The proxy's URL scheme (see /work/briefs/git-proxy-url.md):
 * `/sandbox/git/github/<owner>/<name>.git/<endpoint>` and `/sandbox/git/local/<path>.git/<endpoint>`,
 * where the endpoint is git smart HTTP's `info/refs?service=…`, `git-upload-pack` or
 * `git-receive-pack`. Dumb HTTP and anything else is not served.
 */
import type { RepoRef } from "@nightshift/protocol";

export type GitService = "git-upload-pack" | "git-receive-pack";

export interface GitRequestTarget {
  /** `github/<owner>/<name>` or `local/<path>`, as written in the URL (without `.git`). */
  repo: string;
  endpoint: "info/refs" | "rpc";
  service: GitService;
}

export type GitPathParse = { ok: true; target: GitRequestTarget } | { ok: false; message: string };

const ENDPOINT = /^(.+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/** `rest` is the path after `/sandbox/git/`; `serviceParam` the `service` query parameter. */
export function parseGitPath(method: string, rest: string, serviceParam: string | null): GitPathParse {
  const match = ENDPOINT.exec(rest);
  if (!match?.[1] || !match[2])
    return {
      ok: false,
      message:
        "the git proxy serves smart HTTP only: <repo>.git/info/refs, git-upload-pack, git-receive-pack",
    };
  const repo = match[1];
  if (match[2] === "info/refs") {
    if (method !== "GET") return { ok: false, message: "info/refs is fetched with GET" };
    if (serviceParam !== "git-upload-pack" && serviceParam !== "git-receive-pack")
      return {
        ok: false,
        message: "info/refs needs ?service=git-upload-pack or git-receive-pack (dumb HTTP is not served)",
      };
    return { ok: true, target: { repo, endpoint: "info/refs", service: serviceParam } };
  }
  if (method !== "POST") return { ok: false, message: `${match[2]} is called with POST` };
  return { ok: true, target: { repo, endpoint: "rpc", service: match[2] as GitService } };
}

/** The path segment the session's repository has in proxy URLs. */
export function proxyRepoKey(repo: RepoRef): string {
  return repo.kind === "github" ? `github/${repo.owner}/${repo.name}` : `local/${repo.path}`;
}

/**
 * GitHub names compare case-insensitively (as GitHub does); local paths exactly. A local
 * repository whose own path ends in `.git` matches with or without it (the URL strips one).
 */
export function isSessionRepo(requested: string, repo: RepoRef): boolean {
  const own = proxyRepoKey(repo);
  if (repo.kind === "github") return requested.toLowerCase() === own.toLowerCase();
  return requested === own || requested === own.replace(/\.git$/, "");
}
