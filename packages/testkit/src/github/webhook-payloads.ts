/**
 * Builders of the repository-event payloads the double sends, shaped like GitHub's real deliveries
 * (its webhook events reference; the fields Nightshift reads and their usual neighbours):
 * `issues.labeled`, `issue_comment.created` (on an issue or a pull request) and
 * `pull_request_review_comment.created`. Installation events are in installation-payloads.ts.
 */
import type { GithubUser, Issue, IssueComment, PullIssue, Repository, ReviewComment } from "./github-state";
import { type BranchShas, pullJson, reviewCommentJson } from "./pull-shapes";
import {
  accountJson,
  commentJson,
  issueJson,
  labelJson,
  repoJson,
  type ShapeCtx,
  userJson,
} from "./rest-shapes";

/** What every App delivery about a repository carries besides its subject. */
function envelope(ctx: ShapeCtx, repo: Repository, sender: GithubUser) {
  const { state, urls } = ctx;
  const owner = state.account(repo.owner);
  const inst = state.installationFor(repo);
  return {
    repository: repoJson(repo, urls, owner),
    ...(owner.type === "Organization" ? { organization: accountJson(owner, urls) } : {}),
    sender: userJson(sender, urls),
    ...(inst ? { installation: { id: inst.id, node_id: `I_${inst.id}` } } : {}),
  };
}

export function issuesLabeledPayload(
  ctx: ShapeCtx,
  repo: Repository,
  issue: Issue,
  label: string,
  sender: GithubUser,
) {
  return {
    action: "labeled",
    issue: issueJson(ctx, repo, issue),
    label: labelJson(repo, label, ctx.urls),
    ...envelope(ctx, repo, sender),
  };
}

export function issueCommentPayload(ctx: ShapeCtx, repo: Repository, issue: Issue, comment: IssueComment) {
  return {
    action: "created",
    issue: issueJson(ctx, repo, issue),
    comment: commentJson(ctx, repo, issue, comment),
    ...envelope(ctx, repo, comment.user),
  };
}

export function reviewCommentPayload(
  ctx: ShapeCtx,
  repo: Repository,
  pull: PullIssue,
  comment: ReviewComment,
  shas: BranchShas,
) {
  return {
    action: "created",
    comment: reviewCommentJson(ctx, repo, pull, comment),
    pull_request: pullJson(ctx, repo, pull, shas),
    ...envelope(ctx, repo, comment.user),
  };
}
