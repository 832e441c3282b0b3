/**
 * The REST endpoints Nightshift uses, with GitHub's authorization rules: App-JWT routes, token
 * scoping to the installation's (or the token's) repositories, per-permission checks for
 * installation tokens, and collaborator roles for user tokens. Paths are relative to `/api/v3`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { branchHead } from "./bare-repos";
import { canWrite, type GithubUser, type Repository } from "./github-state";
import { GithubApiError, readJson, sendJson, validationFailed } from "./http-io";
import { allows, type InstallationTokens } from "./installation-tokens";
import { type Principal, type PrincipalDeps, requireApp, resolvePrincipal } from "./principals";
import {
  commentJson,
  installationJson,
  issueJson,
  pullJson,
  repoJson,
  type Urls,
  userJson,
} from "./rest-shapes";

export interface RestDeps extends PrincipalDeps {
  tokens: InstallationTokens;
  urls: Urls;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  who: Principal;
  deps: RestDeps;
}

type Handler = (ctx: Ctx) => Promise<void> | void;
const routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
function route(method: string, pattern: RegExp, handler: Handler): void {
  routes.push({ method, pattern, handler });
}

const notFound = () => new GithubApiError(404, "Not Found");

/** The repository, if the caller may see it; GitHub answers 404 rather than 403 for hidden repos. */
function visibleRepo(ctx: Ctx, owner: string, name: string): Repository {
  const repo = ctx.deps.state.repo(owner, name);
  if (!repo) throw notFound();
  const who = ctx.who;
  if (who.kind === "installation" && !ctx.deps.tokens.covers(who.token, repo)) throw notFound();
  if (who.kind === "user" && repo.private && ctx.deps.state.roleOf(repo, who.user.login) === "none")
    throw notFound();
  if (who.kind === "app")
    throw new GithubApiError(
      401,
      "A JSON web token is not accepted for this endpoint; use an installation token",
    );
  return repo;
}

/** Installation tokens need the named permission; users need the given collaborator level. */
function requireAccess(ctx: Ctx, repo: Repository, permission: string, level: "read" | "write"): GithubUser {
  const who = ctx.who;
  if (who.kind === "installation") {
    if (!allows(who.token.permissions, permission, level))
      throw new GithubApiError(403, "Resource not accessible by integration");
    return ctx.deps.state.app.bot;
  }
  if (who.kind === "user") {
    const role = ctx.deps.state.roleOf(repo, who.user.login);
    if (level === "write" && !canWrite(role))
      throw new GithubApiError(403, "Must have push access to repository");
    return who.user;
  }
  throw new GithubApiError(401, "Requires authentication");
}

function numberParam(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw notFound();
  return n;
}

function stringField(
  body: Record<string, unknown>,
  field: string,
  resource: string,
  required: boolean,
): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || (required && value.trim() === ""))
    throw validationFailed(resource, field, `${field} is required and must be a string`);
  return value;
}

// ---- App (JWT) ----
route("GET", /^\/app$/, ({ res, who, deps }) => {
  requireApp(who);
  const app = deps.state.app;
  sendJson(res, 200, {
    id: app.id,
    slug: app.slug,
    name: app.name,
    client_id: app.clientId,
    permissions: app.permissions,
    events: app.events,
  });
});
route("GET", /^\/app\/installations$/, ({ res, who, deps }) => {
  requireApp(who);
  sendJson(
    res,
    200,
    [...deps.state.installations.values()].map((i) =>
      installationJson(i, deps.state.app.id, deps.state.app.slug, deps.urls),
    ),
  );
});
route("GET", /^\/app\/installations\/(\d+)$/, ({ res, who, deps, params }) => {
  requireApp(who);
  const inst = deps.state.installations.get(Number(params[0]));
  if (!inst) throw notFound();
  sendJson(res, 200, installationJson(inst, deps.state.app.id, deps.state.app.slug, deps.urls));
});
route("POST", /^\/app\/installations\/(\d+)\/access_tokens$/, async ({ req, res, who, deps, params }) => {
  requireApp(who);
  const inst = deps.state.installations.get(Number(params[0]));
  if (!inst) throw notFound();
  const token = deps.tokens.mint(inst, await readJson(req), deps.now());
  const repos =
    token.repositoryIds === "all" ? null : token.repositoryIds.map((id) => deps.state.repoById(id));
  sendJson(res, 201, {
    token: token.token,
    expires_at: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    permissions: token.permissions,
    repository_selection: token.repositoryIds === "all" ? "all" : "selected",
    ...(repos ? { repositories: repos.flatMap((r) => (r ? [repoJson(r, deps.urls, undefined)] : [])) } : {}),
  });
});
route("GET", /^\/repos\/([^/]+)\/([^/]+)\/installation$/, ({ res, who, deps, params }) => {
  requireApp(who);
  const repo = deps.state.repo(params[0] ?? "", params[1] ?? "");
  const inst = repo ? deps.state.installationFor(repo) : undefined;
  if (!inst) throw notFound();
  sendJson(res, 200, installationJson(inst, deps.state.app.id, deps.state.app.slug, deps.urls));
});

// ---- installation token ----
route("GET", /^\/installation\/repositories$/, ({ res, who, deps }) => {
  if (who.kind !== "installation") throw new GithubApiError(403, "This endpoint needs an installation token");
  const inst = deps.state.installations.get(who.token.installationId);
  const repos = inst
    ? deps.state.installationRepos(inst).filter((r) => deps.tokens.covers(who.token, r))
    : [];
  sendJson(res, 200, {
    total_count: repos.length,
    repositories: repos.map((r) => repoJson(r, deps.urls, deps.state.user(r.owner))),
  });
});

// ---- user ----
route("GET", /^\/user$/, ({ res, who, deps }) => {
  if (who.kind !== "user") throw new GithubApiError(403, "Resource not accessible by integration");
  sendJson(res, 200, userJson(who.user, deps.urls));
});

// ---- repositories ----
route("GET", /^\/repos\/([^/]+)\/([^/]+)$/, (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  const body = repoJson(repo, ctx.deps.urls, ctx.deps.state.user(repo.owner));
  if (ctx.who.kind === "user") {
    const role = ctx.deps.state.roleOf(repo, ctx.who.user.login);
    body.permissions = {
      admin: role === "admin",
      maintain: role === "admin" || role === "maintain",
      push: canWrite(role),
      triage: role !== "read" && role !== "none",
      pull: role !== "none" || !repo.private,
    };
  }
  sendJson(ctx.res, 200, body);
});
route("GET", /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/, (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  requireAccess(ctx, repo, "metadata", "read");
  const user = ctx.deps.state.user(ctx.params[2] ?? "");
  if (!user) throw new GithubApiError(404, `${ctx.params[2]} is not a user`);
  const role = ctx.deps.state.roleOf(repo, user.login);
  const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
  sendJson(ctx.res, 200, { permission, role_name: role, user: userJson(user, ctx.deps.urls) });
});

// ---- issues and comments ----
route("GET", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/, (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  requireAccess(ctx, repo, "issues", "read");
  const issue = repo.issues.get(numberParam(ctx.params[2]));
  if (!issue) throw notFound();
  sendJson(ctx.res, 200, issueJson(repo, issue, ctx.deps.urls));
});
route("GET", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  requireAccess(ctx, repo, "issues", "read");
  const n = numberParam(ctx.params[2]);
  const issue = repo.issues.get(n);
  if (!issue) throw notFound();
  sendJson(
    ctx.res,
    200,
    issue.comments.map((c) => commentJson(repo, n, c, ctx.deps.urls, ctx.deps.state.app.slug)),
  );
});
route("POST", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, async (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  const n = numberParam(ctx.params[2]);
  const issue = repo.issues.get(n);
  if (!issue) throw notFound();
  // Comments on a pull request may be written with either permission, as on GitHub.
  const onPull = repo.pulls.has(n);
  const who = ctx.who;
  const author =
    onPull && who.kind === "installation" && allows(who.token.permissions, "pull_requests", "write")
      ? ctx.deps.state.app.bot
      : requireAccess(ctx, repo, "issues", "write");
  const body = stringField(await readJson(ctx.req), "body", "IssueComment", true) ?? "";
  const comment = {
    id: ctx.deps.state.newId(),
    body,
    user: author,
    createdAt: new Date(ctx.deps.now()).toISOString(),
  };
  issue.comments.push(comment);
  sendJson(ctx.res, 201, commentJson(repo, n, comment, ctx.deps.urls, ctx.deps.state.app.slug));
});

// ---- pull requests ----
async function renderPull(ctx: Ctx, repo: Repository, n: number): Promise<Record<string, unknown>> {
  const pull = repo.pulls.get(n);
  if (!pull) throw notFound();
  const [head, base] = await Promise.all([
    branchHead(repo.gitDir, pull.head),
    branchHead(repo.gitDir, pull.base),
  ]);
  return pullJson(repo, pull, { head, base }, ctx.deps.urls);
}

route("GET", /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, async (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  requireAccess(ctx, repo, "pull_requests", "read");
  const q = ctx.url.searchParams;
  const state = q.get("state") ?? "open";
  const head = q.get("head");
  const base = q.get("base");
  const matches = [...repo.pulls.values()].filter(
    (p) =>
      (state === "all" || p.state === state) &&
      (!head || `${repo.owner}:${p.head}`.toLowerCase() === head.toLowerCase()) &&
      (!base || p.base === base),
  );
  sendJson(ctx.res, 200, await Promise.all(matches.map((p) => renderPull(ctx, repo, p.number))));
});
route("GET", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, async (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  requireAccess(ctx, repo, "pull_requests", "read");
  sendJson(ctx.res, 200, await renderPull(ctx, repo, numberParam(ctx.params[2])));
});
route("POST", /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, async (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  const author = requireAccess(ctx, repo, "pull_requests", "write");
  const body = await readJson(ctx.req);
  const title = stringField(body, "title", "PullRequest", true) ?? "";
  const headField = stringField(body, "head", "PullRequest", true) ?? "";
  const baseField = stringField(body, "base", "PullRequest", true) ?? "";
  const text = stringField(body, "body", "PullRequest", false) ?? "";
  const head = headField.includes(":") ? headField.slice(headField.indexOf(":") + 1) : headField;
  if (!(await branchHead(repo.gitDir, head))) throw validationFailed("PullRequest", "head", "head invalid");
  if (!(await branchHead(repo.gitDir, baseField)))
    throw validationFailed("PullRequest", "base", "base invalid");
  const open = [...repo.pulls.values()].find(
    (p) => p.head === head && p.base === baseField && p.state === "open",
  );
  if (open)
    throw validationFailed("PullRequest", "head", `A pull request already exists for ${repo.owner}:${head}.`);
  const number = repo.nextNumber++;
  const at = new Date(ctx.deps.now()).toISOString();
  repo.pulls.set(number, {
    number,
    title,
    body: text,
    head,
    base: baseField,
    draft: body.draft === true,
    state: "open",
    user: author,
    createdAt: at,
    updatedAt: at,
  });
  repo.issues.set(number, {
    number,
    title,
    body: text,
    user: author,
    state: "open",
    labels: [],
    comments: [],
  });
  sendJson(ctx.res, 201, await renderPull(ctx, repo, number));
});
route("PATCH", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, async (ctx) => {
  const repo = visibleRepo(ctx, ctx.params[0] ?? "", ctx.params[1] ?? "");
  requireAccess(ctx, repo, "pull_requests", "write");
  const pull = repo.pulls.get(numberParam(ctx.params[2]));
  if (!pull) throw notFound();
  const body = await readJson(ctx.req);
  pull.title = stringField(body, "title", "PullRequest", false) ?? pull.title;
  pull.body = stringField(body, "body", "PullRequest", false) ?? pull.body;
  const state = stringField(body, "state", "PullRequest", false);
  if (state === "open" || state === "closed") pull.state = state;
  else if (state !== undefined)
    throw validationFailed("PullRequest", "state", "state must be open or closed");
  pull.updatedAt = new Date(ctx.deps.now()).toISOString();
  sendJson(ctx.res, 200, await renderPull(ctx, repo, pull.number));
});

/** Dispatches one REST request; returns false when no route matches the path at all. */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
  deps: RestDeps,
): Promise<void> {
  const candidates = routes.filter((r) => r.pattern.test(path));
  const found = candidates.find((r) => r.method === req.method);
  if (!found) throw candidates.length > 0 ? new GithubApiError(405, "Method Not Allowed") : notFound();
  const params = (found.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
  const who = resolvePrincipal(req, deps);
  await found.handler({ req, res, url, params, who, deps });
}
