/**
 * `/_double/...`: routes for tests that run inside workerd and cannot hold the double's object.
 * They read what clients did (token mints, git access, pull requests and comments as the REST API
 * shows them) and set up what a test needs before it sends a webhook it built itself (an issue).
 * No authentication: nothing but tests can reach the double.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { GitAccessRecord } from "./git-http";
import type { GithubState, Repository } from "./github-state";
import { GithubApiError, isoSeconds, readJson, sendJson } from "./http-io";
import type { InstallationTokens } from "./installation-tokens";
import { reviewCommentJson } from "./pull-shapes";
import { renderPull } from "./rest-pulls";
import { commentJson, type ShapeCtx } from "./rest-shapes";

export interface InspectionDeps {
  state: GithubState;
  tokens: InstallationTokens;
  gitAccess: GitAccessRecord[];
  shapes: () => ShapeCtx;
  now: () => number;
}

const newIssue = z.object({
  title: z.string().min(1),
  body: z.string().default(""),
  author: z.string().min(1),
});

const REPO = "/_double/repos/([^/]+)/([^/]+)";
const PULLS = new RegExp(`^${REPO}/pulls$`);
const ISSUES = new RegExp(`^${REPO}/issues$`);
const ISSUE_COMMENTS = new RegExp(`^${REPO}/issues/(\\d+)/comments$`);
const REVIEW_COMMENTS = new RegExp(`^${REPO}/pulls/(\\d+)/comments$`);

export function isInspection(pathname: string): boolean {
  return pathname.startsWith("/_double/");
}

function repoFrom(state: GithubState, match: RegExpExecArray): Repository {
  const repo = state.repo(decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? ""));
  if (!repo) throw new GithubApiError(404, "Not Found");
  return repo;
}

export async function handleInspection(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  deps: InspectionDeps,
): Promise<void> {
  const { state } = deps;
  const get = req.method === "GET";
  if (get && pathname === "/_double/token-mints") return sendJson(res, 200, deps.tokens.mints);
  if (get && pathname === "/_double/git-access") return sendJson(res, 200, deps.gitAccess);
  let m = PULLS.exec(pathname);
  if (get && m) {
    const repo = repoFrom(state, m);
    const pulls = state.pulls(repo);
    return sendJson(res, 200, await Promise.all(pulls.map((p) => renderPull(deps.shapes(), repo, p))));
  }
  m = ISSUE_COMMENTS.exec(pathname);
  if (get && m) {
    const repo = repoFrom(state, m);
    const issue = repo.issues.get(Number(m[3]));
    if (!issue) throw new GithubApiError(404, "Not Found");
    return sendJson(
      res,
      200,
      issue.comments.map((c) => commentJson(deps.shapes(), repo, issue, c)),
    );
  }
  m = REVIEW_COMMENTS.exec(pathname);
  if (get && m) {
    const repo = repoFrom(state, m);
    const pull = state.pull(repo, Number(m[3]));
    if (!pull) throw new GithubApiError(404, "Not Found");
    return sendJson(
      res,
      200,
      pull.pull.reviewComments.map((c) => reviewCommentJson(deps.shapes(), repo, pull, c)),
    );
  }
  m = ISSUES.exec(pathname);
  if (req.method === "POST" && m) {
    const repo = repoFrom(state, m);
    const parsed = newIssue.safeParse(await readJson(req));
    if (!parsed.success) throw new GithubApiError(422, `Validation Failed: ${parsed.error.message}`);
    const user = state.user(parsed.data.author);
    if (!user) throw new GithubApiError(422, `Validation Failed: no fixture user '${parsed.data.author}'`);
    const at = isoSeconds(deps.now());
    const issue = state.openIssue(repo, { title: parsed.data.title, body: parsed.data.body, user, at });
    return sendJson(res, 201, { number: issue.number });
  }
  throw new GithubApiError(404, "Not Found");
}
