/**
 * Which git URL a sandbox may ask credentials for: only its own session's repository on the
 * configured GitHub host. A repository whose `origin` was rewritten (by the agent, a hook or an
 * `insteadOf`) would otherwise carry the installation token to whatever host it names.
 */
import type { RepoRef } from "@nightshift/protocol";

export interface GitTarget {
  protocol: string;
  host: string;
  path?: string | undefined;
}

export type GitTargetCheck = { ok: true } | { ok: false; reason: string };

/** The GitHub web URL the App's git traffic goes to, as the App config resolves it. */
export function githubWebUrl(env: { GITHUB_APP_WEB_URL?: string; GITHUB_WEB_URL?: string }): string {
  return env.GITHUB_APP_WEB_URL ?? env.GITHUB_WEB_URL ?? "https://github.com";
}

function normalizePath(path: string): string {
  return path
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/i, "")
    .toLowerCase();
}

/**
 * Host is compared as host[:port] (git sends the port only when it is not the default, as URL.host
 * does); path as `<owner>/<name>` with or without `.git`, case-insensitive as GitHub is.
 */
export function checkGitTarget(repo: RepoRef, target: GitTarget, webUrl: string): GitTargetCheck {
  if (repo.kind !== "github") return { ok: false, reason: "local repositories need no credential" };
  const expected = new URL(webUrl);
  const scheme = expected.protocol.replace(/:$/, "");
  if (target.protocol.toLowerCase() !== scheme)
    return { ok: false, reason: `credentials are only given over ${scheme}` };
  if (target.host.toLowerCase() !== expected.host.toLowerCase())
    return { ok: false, reason: `credentials are only given for ${expected.host}, not ${target.host}` };
  const base = normalizePath(expected.pathname);
  const want = `${base ? `${base}/` : ""}${repo.owner}/${repo.name}`.toLowerCase();
  if (!target.path || normalizePath(target.path) !== want)
    return {
      ok: false,
      reason: `credentials are only given for this session's repository ${repo.owner}/${repo.name}`,
    };
  return { ok: true };
}
