/**
 * Pull requests and review comments in GitHub's REST wire format; the `pull_request` object of
 * webhook payloads is the same rendering. Branch shas are read from the bare repository by the
 * caller, so these stay pure.
 */
import type { PullIssue, Repository, ReviewComment } from "./github-state";
import {
  accountJson,
  association,
  issueHtmlUrl,
  labelJson,
  repoJson,
  type ShapeCtx,
  userJson,
} from "./rest-shapes";

export interface BranchShas {
  head: string | null;
  base: string | null;
}

export function pullJson(
  ctx: ShapeCtx,
  repo: Repository,
  issue: PullIssue,
  shas: BranchShas,
): Record<string, unknown> {
  const { urls, state } = ctx;
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const html = issueHtmlUrl(repo, issue, urls);
  const owner = state.account(repo.owner);
  const branch = (ref: string, sha: string | null) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: accountJson(owner, urls),
    repo: repoJson(repo, urls, owner),
  });
  return {
    url: `${api}/pulls/${issue.number}`,
    id: repo.id * 100000 + issue.number,
    node_id: `PR_${repo.id}_${issue.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${issue.number}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(issue.user, urls),
    body: issue.body,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: issue.labels.map((name) => labelJson(repo, name, urls)),
    milestone: null,
    draft: issue.pull.draft,
    commits_url: `${api}/pulls/${issue.number}/commits`,
    review_comments_url: `${api}/pulls/${issue.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    statuses_url: `${api}/statuses/${shas.head ?? ""}`,
    head: branch(issue.pull.head, shas.head),
    base: branch(issue.pull.base, shas.base),
    author_association: association(state, repo, issue.user),
    auto_merge: null,
    active_lock_reason: null,
    merged: false,
    comments: issue.comments.length,
    review_comments: issue.pull.reviewComments.length,
  };
}

export function reviewCommentJson(
  ctx: ShapeCtx,
  repo: Repository,
  issue: PullIssue,
  comment: ReviewComment,
): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo.owner}/${repo.name}`;
  const self = `${api}/pulls/comments/${comment.id}`;
  const html = `${issueHtmlUrl(repo, issue, ctx.urls)}#discussion_r${comment.id}`;
  const pullUrl = `${api}/pulls/${issue.number}`;
  return {
    url: self,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: `PRRC_${comment.id}`,
    diff_hunk: comment.diffHunk,
    path: comment.path,
    position: comment.diffHunk.split("\n").length - 1,
    original_position: comment.diffHunk.split("\n").length - 1,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    user: userJson(comment.user, ctx.urls),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: association(ctx.state, repo, comment.user),
    _links: { self: { href: self }, html: { href: html }, pull_request: { href: pullUrl } },
    start_line: null,
    original_start_line: null,
    start_side: null,
    line: comment.line,
    original_line: comment.line,
    side: "RIGHT",
    subject_type: "line",
    // GitHub leaves the key out altogether on a thread's first comment.
    ...(comment.inReplyToId !== null ? { in_reply_to_id: comment.inReplyToId } : {}),
  };
}
