/**
 * JSON renderings of the double's objects in GitHub's REST wire format (the fields Nightshift reads
 * and their usual neighbours). Webhook payloads embed the same shapes, as GitHub's do.
 */
import type {
  Account,
  GithubState,
  GithubUser,
  Installation,
  Issue,
  IssueComment,
  Repository,
} from "./github-state";

export interface Urls {
  web: string;
  api: string;
}

/** What every renderer needs: the world (for accounts, roles, the App) and where the double listens. */
export interface ShapeCtx {
  state: GithubState;
  urls: Urls;
}

export function accountJson(account: Account, urls: Urls): Record<string, unknown> {
  return {
    login: account.login,
    id: account.id,
    node_id: `${account.type === "Organization" ? "O" : "U"}_${account.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    url: `${urls.api}/${account.type === "Organization" ? "orgs" : "users"}/${account.login}`,
    html_url: `${urls.web}/${account.login}`,
    type: account.type,
    site_admin: false,
  };
}

export function userJson(user: GithubUser, urls: Urls): Record<string, unknown> {
  return { ...accountJson(user, urls), name: user.name, email: user.email };
}

/** `performed_via_github_app` and friends: the App as GitHub describes it publicly. */
export function appJson({ state, urls }: ShapeCtx): Record<string, unknown> {
  const app = state.app;
  return {
    id: app.id,
    slug: app.slug,
    node_id: `A_${app.id}`,
    name: app.name,
    client_id: app.clientId,
    html_url: `${urls.web}/apps/${app.slug}`,
    permissions: app.permissions,
    events: app.events,
  };
}

export function repoJson(repo: Repository, urls: Urls, owner: Account): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    ...repoBriefJson(repo),
    visibility: repo.private ? "private" : "public",
    owner: accountJson(owner, urls),
    html_url: `${urls.web}/${repo.owner}/${repo.name}`,
    url: api,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    clone_url: `${urls.web}/${repo.owner}/${repo.name}.git`,
    default_branch: repo.defaultBranch,
    fork: false,
    archived: false,
    disabled: false,
  };
}

/** The short repository entries of installation payloads and `/installation/repositories` lists. */
export function repoBriefJson(repo: Repository): Record<string, unknown> {
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
  };
}

export function installationJson(inst: Installation, { state, urls }: ShapeCtx): Record<string, unknown> {
  const account = state.account(inst.account);
  return {
    id: inst.id,
    account: accountJson(account, urls),
    repository_selection: inst.repositoryIds === "all" ? "all" : "selected",
    access_tokens_url: `${urls.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/${account.type === "Organization" ? `organizations/${account.login}/` : ""}settings/installations/${inst.id}`,
    app_id: state.app.id,
    app_slug: state.app.slug,
    target_id: account.id,
    target_type: account.type === "Organization" ? "Organization" : "User",
    permissions: state.app.permissions,
    events: state.app.events,
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: inst.suspended ? inst.createdAt : null,
  };
}

/** How GitHub labels an author relative to the repository (`author_association`). */
export function association(state: GithubState, repo: Repository, user: GithubUser): string {
  const role = state.roleOf(repo, user.login);
  if (role === "admin" && user.login.toLowerCase() === repo.owner.toLowerCase()) return "OWNER";
  return role === "none" ? "NONE" : "COLLABORATOR";
}

function stableId(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  return h;
}

export function labelJson(repo: Repository, name: string, urls: Urls): Record<string, unknown> {
  const id = stableId(`${repo.id}/${name}`);
  return {
    id,
    node_id: `LA_${id}`,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
    name,
    color: "ededed",
    default: false,
    description: null,
  };
}

export function issueHtmlUrl(repo: Repository, issue: Issue, urls: Urls): string {
  return `${urls.web}/${repo.owner}/${repo.name}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
}

export function issueJson(ctx: ShapeCtx, repo: Repository, issue: Issue): Record<string, unknown> {
  const { urls } = ctx;
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const html = issueHtmlUrl(repo, issue, urls);
  return {
    url: `${api}/issues/${issue.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${issue.number}/labels{/name}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    events_url: `${api}/issues/${issue.number}/events`,
    html_url: html,
    id: repo.id * 100000 + issue.number,
    node_id: `${issue.pull ? "PR" : "I"}_${repo.id}_${issue.number}`,
    number: issue.number,
    title: issue.title,
    user: userJson(issue.user, urls),
    labels: issue.labels.map((name) => labelJson(repo, name, urls)),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments.length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: association(ctx.state, repo, issue.user),
    ...(issue.pull
      ? {
          draft: issue.pull.draft,
          pull_request: {
            url: `${api}/pulls/${issue.number}`,
            html_url: html,
            diff_url: `${html}.diff`,
            patch_url: `${html}.patch`,
            merged_at: null,
          },
        }
      : {}),
    body: issue.body,
  };
}

export function commentJson(
  ctx: ShapeCtx,
  repo: Repository,
  issue: Issue,
  comment: IssueComment,
): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${issueHtmlUrl(repo, issue, ctx.urls)}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${issue.number}`,
    id: comment.id,
    node_id: `IC_${comment.id}`,
    user: userJson(comment.user, ctx.urls),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    author_association: association(ctx.state, repo, comment.user),
    body: comment.body,
    performed_via_github_app: comment.user.id === ctx.state.app.bot.id ? appJson(ctx) : null,
  };
}
