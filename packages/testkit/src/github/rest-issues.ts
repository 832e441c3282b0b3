/**
 * Issue routes. Pull requests are issues here as on GitHub, so these answer for PR numbers too
 * (with `pull_request` set on the issue and either permission accepted for the App).
 */
import { readJson, sendJson } from "./http-io";
import { addIssueComment } from "./issue-actions";
import {
  type Ctx,
  notFound,
  nowIso,
  numberParam,
  type Route,
  requireIssueAccess,
  sendPage,
  shapes,
  stringField,
  visibleRepo,
} from "./rest-router";
import { commentJson, issueJson } from "./rest-shapes";

function issueOf(ctx: Ctx) {
  const repo = visibleRepo(ctx);
  const issue = repo.issues.get(numberParam(ctx.params[2]));
  if (!issue) throw notFound();
  return { repo, issue };
}

export const issueRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      requireIssueAccess(ctx, repo, issue, "read");
      sendJson(ctx.res, 200, issueJson(shapes(ctx), repo, issue));
    },
  },
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      requireIssueAccess(ctx, repo, issue, "read");
      return sendPage(ctx, issue.comments, (c) => commentJson(shapes(ctx), repo, issue, c));
    },
  },
  {
    method: "POST",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
    handler: async (ctx) => {
      const { repo, issue } = issueOf(ctx);
      const author = requireIssueAccess(ctx, repo, issue, "write");
      const body = stringField(await readJson(ctx.req), "body", "IssueComment", true) ?? "";
      const comment = addIssueComment(ctx.deps.state, issue, author, body, nowIso(ctx));
      sendJson(ctx.res, 201, commentJson(shapes(ctx), repo, issue, comment));
    },
  },
];
