/**
 * Builders of the webhook payloads the double sends for state changes it models, shaped like the
 * real deliveries in shared/reference/webhook-payloads (the fields Nightshift reads and their
 * usual neighbours): `issues.labeled`, `issue_comment.created`, `installation`,
 * `installation_repositories`.
 */
import type { GithubState, GithubUser, Installation, Issue, IssueComment, Repository } from "./github-state";
import { commentJson, issueJson, repoJson, type Urls, userJson } from "./rest-shapes";

function envelope(state: GithubState, repo: Repository, sender: GithubUser, urls: Urls) {
  const inst = state.installationFor(repo);
  return {
    repository: repoJson(repo, urls, state.user(repo.owner)),
    sender: userJson(sender, urls),
    ...(inst ? { installation: { id: inst.id, node_id: `I_${inst.id}` } } : {}),
  };
}

export function issuesLabeledPayload(
  state: GithubState,
  repo: Repository,
  issue: Issue,
  label: string,
  sender: GithubUser,
  urls: Urls,
) {
  return {
    action: "labeled",
    issue: issueJson(repo, issue, urls),
    label: { id: 1, node_id: "LA_1", name: label, color: "ededed", default: false, description: null },
    ...envelope(state, repo, sender, urls),
  };
}

export function issueCommentPayload(
  state: GithubState,
  repo: Repository,
  issue: Issue,
  comment: IssueComment,
  urls: Urls,
) {
  return {
    action: "created",
    issue: issueJson(repo, issue, urls),
    comment: commentJson(repo, issue.number, comment, urls, state.app.slug),
    ...envelope(state, repo, comment.user, urls),
  };
}

export function installationPayload(
  state: GithubState,
  inst: Installation,
  action: "created" | "deleted",
  sender: GithubUser,
  urls: Urls,
) {
  return {
    action,
    installation: {
      id: inst.id,
      account: { login: inst.account },
      repository_selection: inst.repositoryIds === "all" ? "all" : "selected",
      app_id: state.app.id,
      app_slug: state.app.slug,
    },
    repositories: state.installationRepos(inst).map((r) => ({
      id: r.id,
      node_id: `R_${r.id}`,
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      private: r.private,
    })),
    sender: userJson(sender, urls),
  };
}

export function installationRepositoriesPayload(
  state: GithubState,
  inst: Installation,
  added: Repository[],
  removed: Repository[],
  sender: GithubUser,
  urls: Urls,
) {
  const brief = (r: Repository) => ({
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    private: r.private,
  });
  return {
    action: added.length > 0 ? "added" : "removed",
    installation: { id: inst.id, account: { login: inst.account }, app_id: state.app.id },
    repository_selection: inst.repositoryIds === "all" ? "all" : "selected",
    repositories_added: added.map(brief),
    repositories_removed: removed.map(brief),
    sender: userJson(sender, urls),
  };
}
