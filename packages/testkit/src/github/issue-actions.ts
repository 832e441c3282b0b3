/**
 * Changes to issues and pull requests that several doors share (the double's methods, the REST
 * API and the `/_double` inspection routes), so each one files comments the same way.
 */
import { branchHead } from "./bare-repos";
import type {
  GithubState,
  GithubUser,
  Issue,
  IssueComment,
  PullIssue,
  Repository,
  ReviewComment,
} from "./github-state";
import { GithubApiError } from "./http-io";
import { reviewAnchor } from "./review-diff";

export function addIssueComment(
  state: GithubState,
  issue: Issue,
  user: GithubUser,
  body: string,
  at: string,
): IssueComment {
  const comment = { id: state.newId(), body, user, createdAt: at };
  issue.comments.push(comment);
  issue.updatedAt = at;
  return comment;
}

export interface ReviewCommentInput {
  user: GithubUser;
  body: string;
  /** The file to comment on; the pull request's first changed file when left out. */
  path?: string;
  /** Answer in this comment's thread (GitHub files replies under the thread's first comment). */
  inReplyTo?: number;
}

export async function addReviewComment(
  state: GithubState,
  repo: Repository,
  issue: PullIssue,
  input: ReviewCommentInput,
  at: string,
): Promise<ReviewComment> {
  const comments = issue.pull.reviewComments;
  let anchor: Pick<ReviewComment, "path" | "diffHunk" | "line" | "commitId">;
  let inReplyToId: number | null = null;
  if (input.inReplyTo !== undefined) {
    const target = comments.find((c) => c.id === input.inReplyTo);
    if (!target) throw new GithubApiError(404, "Not Found");
    const root = comments.find((c) => c.id === (target.inReplyToId ?? target.id)) ?? target;
    anchor = root;
    inReplyToId = root.id;
  } else {
    const headSha = await branchHead(repo.gitDir, issue.pull.head);
    if (!headSha) throw new GithubApiError(422, "Validation Failed: the pull request's head branch is gone");
    anchor = await reviewAnchor(repo.gitDir, issue.pull, headSha, input.path);
  }
  const comment: ReviewComment = {
    id: state.newId(),
    // GitHub wraps every single comment (and every reply) in a review of its own.
    reviewId: state.newId(),
    body: input.body,
    user: input.user,
    path: anchor.path,
    diffHunk: anchor.diffHunk,
    line: anchor.line,
    commitId: anchor.commitId,
    inReplyToId,
    createdAt: at,
  };
  comments.push(comment);
  issue.updatedAt = at;
  return comment;
}
