/** JSON renderings of the double's objects in GitHub's REST wire format (the fields Nightshift reads, and the usual neighbours). */
import type { GithubUser, Installation, Issue, IssueComment, PullRequest, Repository } from "./github-state";

export interface Urls {
  web: string;
  api: string;
}

export function userJson(user: GithubUser, urls: Urls): Record<string, unknown> {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    url: `${urls.api}/users/${user.login}`,
    html_url: `${urls.web}/${user.login}`,
    type: user.type,
    site_admin: false,
    name: user.name,
    email: user.email,
  };
}

export function repoJson(
  repo: Repository,
  urls: Urls,
  owner: GithubUser | undefined,
): Record<string, unknown> {
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    owner: owner ? userJson(owner, urls) : { login: repo.owner, type: "Organization" },
    html_url: `${urls.web}/${repo.owner}/${repo.name}`,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}`,
    clone_url: `${urls.web}/${repo.owner}/${repo.name}.git`,
    default_branch: repo.defaultBranch,
  };
}

export function installationJson(
  inst: Installation,
  appId: number,
  appSlug: string,
  urls: Urls,
): Record<string, unknown> {
  return {
    id: inst.id,
    account: { login: inst.account, type: "Organization" },
    repository_selection: inst.repositoryIds === "all" ? "all" : "selected",
    access_tokens_url: `${urls.api}/app/installations/${inst.id}/access_tokens`,
    app_id: appId,
    app_slug: appSlug,
    target_type: "Organization",
    suspended_at: inst.suspended ? new Date(0).toISOString() : null,
  };
}

export function issueJson(repo: Repository, issue: Issue, urls: Urls): Record<string, unknown> {
  const pull = repo.pulls.get(issue.number);
  const base = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: repo.id * 100000 + issue.number,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    user: userJson(issue.user, urls),
    labels: issue.labels.map((name) => ({ name })),
    url: `${base}/issues/${issue.number}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/issues/${issue.number}`,
    comments: issue.comments.length,
    ...(pull
      ? { pull_request: { url: `${base}/pulls/${pull.number}`, html_url: pullHtmlUrl(repo, pull, urls) } }
      : {}),
  };
}

export function commentJson(
  repo: Repository,
  issueNumber: number,
  comment: IssueComment,
  urls: Urls,
  appSlug: string,
): Record<string, unknown> {
  const base = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${base}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/issues/${issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${base}/issues/${issueNumber}`,
    body: comment.body,
    user: userJson(comment.user, urls),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    author_association: "NONE",
    performed_via_github_app: comment.user.type === "Bot" ? { slug: appSlug } : null,
  };
}

function pullHtmlUrl(repo: Repository, pull: PullRequest, urls: Urls): string {
  return `${urls.web}/${repo.owner}/${repo.name}/pull/${pull.number}`;
}

export function pullJson(
  repo: Repository,
  pull: PullRequest,
  shas: { head: string | null; base: string | null },
  urls: Urls,
): Record<string, unknown> {
  const repoRef = repoJson(repo, urls, undefined);
  return {
    id: repo.id * 100000 + pull.number,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    user: userJson(pull.user, urls),
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    html_url: pullHtmlUrl(repo, pull, urls),
    head: { label: `${repo.owner}:${pull.head}`, ref: pull.head, sha: shas.head, repo: repoRef },
    base: { label: `${repo.owner}:${pull.base}`, ref: pull.base, sha: shas.base, repo: repoRef },
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
  };
}
