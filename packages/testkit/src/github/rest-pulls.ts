/**
 * Pull request routes: list (filtered by `state`/`head`/`base`, newest first, paginated), get,
 * create (the head branch must exist in the bare repository and be ahead of the base, as on
 * GitHub), update, and review comments with threaded replies.
 */
import { branchHead, commitsAhead } from "./bare-repos";
import type { PullIssue, Repository } from "./github-state";
import { GithubApiError, readJson, sendJson, validationFailed } from "./http-io";
import { addReviewComment } from "./issue-actions";
import { pullJson, reviewCommentJson } from "./pull-shapes";
import {
  type Ctx,
  notFound,
  nowIso,
  numberParam,
  type Route,
  requireAccess,
  sendPage,
  shapes,
  stringField,
  visibleRepo,
} from "./rest-router";
import type { ShapeCtx } from "./rest-shapes";

/** A pull request rendered with its branches' current shas. */
export async function renderPull(ctx: ShapeCtx, repo: Repository, issue: PullIssue) {
  const [head, base] = await Promise.all([
    branchHead(repo.gitDir, issue.pull.head),
    branchHead(repo.gitDir, issue.pull.base),
  ]);
  return pullJson(ctx, repo, issue, { head, base });
}

function pullOf(ctx: Ctx): { repo: Repository; pull: PullIssue } {
  const repo = visibleRepo(ctx);
  const pull = ctx.deps.state.pull(repo, numberParam(ctx.params[2]));
  if (!pull) throw notFound();
  return { repo, pull };
}

/** `head` may be `branch` or `owner:branch`; the double has no forks, so the owner must be the repo's. */
function headBranch(repo: Repository, head: string): string {
  const colon = head.indexOf(":");
  if (colon < 0) return head;
  if (head.slice(0, colon).toLowerCase() !== repo.owner.toLowerCase())
    throw validationFailed("PullRequest", "head", "head invalid");
  return head.slice(colon + 1);
}

async function createPull(ctx: Ctx): Promise<void> {
  const repo = visibleRepo(ctx);
  const author = requireAccess(ctx, repo, "pull_requests", "write");
  const body = await readJson(ctx.req);
  const title = stringField(body, "title", "PullRequest", true) ?? "";
  const head = headBranch(repo, stringField(body, "head", "PullRequest", true) ?? "");
  const base = stringField(body, "base", "PullRequest", true) ?? "";
  const text = stringField(body, "body", "PullRequest", false) ?? "";
  if (body.draft !== undefined && typeof body.draft !== "boolean")
    throw validationFailed("PullRequest", "draft", "draft must be a boolean");
  if (!(await branchHead(repo.gitDir, head))) throw validationFailed("PullRequest", "head", "head invalid");
  if (!(await branchHead(repo.gitDir, base))) throw validationFailed("PullRequest", "base", "base invalid");
  const state = ctx.deps.state;
  if (state.pulls(repo).some((p) => p.pull.head === head && p.pull.base === base && p.state === "open"))
    throw validationFailed("PullRequest", "head", `A pull request already exists for ${repo.owner}:${head}.`);
  if ((await commitsAhead(repo.gitDir, base, head)) === 0)
    throw new GithubApiError(422, "Validation Failed", [
      { resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` },
    ]);
  const issue = state.openIssue(repo, {
    title,
    body: text,
    user: author,
    at: nowIso(ctx),
    pull: { head, base, draft: body.draft === true, reviewComments: [] },
  }) as PullIssue;
  sendJson(ctx.res, 201, await renderPull(shapes(ctx), repo, issue));
}

async function updatePull(ctx: Ctx): Promise<void> {
  const { repo, pull } = pullOf(ctx);
  requireAccess(ctx, repo, "pull_requests", "write");
  const body = await readJson(ctx.req);
  const title = stringField(body, "title", "PullRequest", false);
  const text = stringField(body, "body", "PullRequest", false);
  const state = stringField(body, "state", "PullRequest", false);
  if (state !== undefined && state !== "open" && state !== "closed")
    throw validationFailed("PullRequest", "state", "state must be open or closed");
  const at = nowIso(ctx);
  if (title !== undefined) pull.title = title;
  if (text !== undefined) pull.body = text;
  if (state !== undefined && state !== pull.state) {
    pull.state = state;
    pull.closedAt = state === "closed" ? at : null;
  }
  pull.updatedAt = at;
  sendJson(ctx.res, 200, await renderPull(shapes(ctx), repo, pull));
}

export const pullRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/,
    handler: (ctx) => {
      const repo = visibleRepo(ctx);
      requireAccess(ctx, repo, "pull_requests", "read");
      const q = ctx.url.searchParams;
      const state = q.get("state") ?? "open";
      if (state !== "open" && state !== "closed" && state !== "all")
        throw validationFailed("PullRequest", "state", "state must be open, closed or all");
      const head = q.get("head")?.toLowerCase();
      const base = q.get("base");
      const matches = ctx.deps.state
        .pulls(repo)
        .filter(
          (p) =>
            (state === "all" || p.state === state) &&
            (!head || `${repo.owner}:${p.pull.head}`.toLowerCase() === head) &&
            (!base || p.pull.base === base),
        )
        .sort((a, b) => b.number - a.number);
      return sendPage(ctx, matches, (p) => renderPull(shapes(ctx), repo, p));
    },
  },
  { method: "POST", pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, handler: createPull },
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
    handler: async (ctx) => {
      const { repo, pull } = pullOf(ctx);
      requireAccess(ctx, repo, "pull_requests", "read");
      sendJson(ctx.res, 200, await renderPull(shapes(ctx), repo, pull));
    },
  },
  { method: "PATCH", pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, handler: updatePull },
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/comments$/,
    handler: (ctx) => {
      const { repo, pull } = pullOf(ctx);
      requireAccess(ctx, repo, "pull_requests", "read");
      return sendPage(ctx, pull.pull.reviewComments, (c) => reviewCommentJson(shapes(ctx), repo, pull, c));
    },
  },
  {
    // "Create a reply for a review comment": answers in the comment's thread.
    method: "POST",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/comments\/(\d+)\/replies$/,
    handler: async (ctx) => {
      const { repo, pull } = pullOf(ctx);
      const author = requireAccess(ctx, repo, "pull_requests", "write");
      const body = stringField(await readJson(ctx.req), "body", "PullRequestReviewComment", true) ?? "";
      const reply = await addReviewComment(
        ctx.deps.state,
        repo,
        pull,
        { user: author, body, inReplyTo: numberParam(ctx.params[3]) },
        nowIso(ctx),
      );
      sendJson(ctx.res, 201, reviewCommentJson(shapes(ctx), repo, pull, reply));
    },
  },
];
