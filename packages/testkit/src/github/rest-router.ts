/**
 * The pieces every REST route shares: the request context, GitHub's visibility rule (hidden
 * repositories answer 404, not 403), the per-principal access check, parameter parsing, and
 * paginated list replies.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { canWrite, type GithubUser, type Issue, type Repository } from "./github-state";
import { GithubApiError, isoSeconds, sendJson, validationFailed } from "./http-io";
import { allows, type InstallationTokens } from "./installation-tokens";
import { paginate } from "./pagination";
import type { Principal, PrincipalDeps } from "./principals";
import type { ShapeCtx, Urls } from "./rest-shapes";

export interface RestDeps extends PrincipalDeps {
  tokens: InstallationTokens;
  urls: Urls;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path below `/api/v3`. */
  path: string;
  params: string[];
  who: Principal;
  deps: RestDeps;
}

export interface Route {
  method: string;
  pattern: RegExp;
  handler: (ctx: Ctx) => Promise<void> | void;
}

export const notFound = () => new GithubApiError(404, "Not Found");

export function shapes(ctx: Ctx): ShapeCtx {
  return { state: ctx.deps.state, urls: ctx.deps.urls };
}

export function nowIso(ctx: Ctx): string {
  return isoSeconds(ctx.deps.now());
}

/** The repository named by the first two path parameters, if the caller may see it. */
export function visibleRepo(ctx: Ctx): Repository {
  const repo = ctx.deps.state.repo(ctx.params[0] ?? "", ctx.params[1] ?? "");
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
export function requireAccess(
  ctx: Ctx,
  repo: Repository,
  permission: string,
  level: "read" | "write",
): GithubUser {
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

/**
 * Access to an issue-shaped resource: on a pull request GitHub takes either the `issues` or the
 * `pull_requests` permission, on a plain issue only `issues`.
 */
export function requireIssueAccess(
  ctx: Ctx,
  repo: Repository,
  issue: Issue,
  level: "read" | "write",
): GithubUser {
  const who = ctx.who;
  if (issue.pull && who.kind === "installation" && allows(who.token.permissions, "pull_requests", level))
    return ctx.deps.state.app.bot;
  return requireAccess(ctx, repo, "issues", level);
}

export function numberParam(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw notFound();
  return n;
}

export function stringField(
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

/** The absolute URL of this request as the client sent it, for `Link` headers. */
function selfUrl(ctx: Ctx): URL {
  return new URL(`${ctx.deps.urls.api}${ctx.path}${ctx.url.search}`);
}

/** Sends one page of `items` (rendered by `render`) with GitHub's `Link` header. */
export async function sendPage<T>(
  ctx: Ctx,
  items: T[],
  render: (item: T) => unknown | Promise<unknown>,
  wrap?: (page: unknown[]) => unknown,
): Promise<void> {
  const page = paginate(items, selfUrl(ctx));
  const rendered = await Promise.all(page.items.map(render));
  sendJson(ctx.res, 200, wrap ? wrap(rendered) : rendered, page.link ? { link: page.link } : {});
}
