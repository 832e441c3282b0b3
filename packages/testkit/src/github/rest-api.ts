/**
 * The REST endpoints Nightshift uses, with GitHub's authorization rules: App-JWT routes, token
 * scoping to the installation's (or the token's) repositories, per-permission checks for
 * installation tokens, and collaborator roles for user tokens. Paths are relative to `/api/v3`.
 * This file holds the dispatcher and the App, installation, user and repository routes; issues
 * and pull requests live in their own modules.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { canWrite, type Repository } from "./github-state";
import { GithubApiError, isoSeconds, readJson, sendJson } from "./http-io";
import { requireApp, resolvePrincipal } from "./principals";
import { issueRoutes } from "./rest-issues";
import { pullRoutes } from "./rest-pulls";
import {
  type Ctx,
  notFound,
  type RestDeps,
  type Route,
  requireAccess,
  sendPage,
  shapes,
  visibleRepo,
} from "./rest-router";
import { installationJson, repoJson, userJson } from "./rest-shapes";

export type { RestDeps } from "./rest-router";

/** `permissions` of a repository as a user token sees it. */
function repoWithPermissions(ctx: Ctx, repo: Repository, login: string): Record<string, unknown> {
  const state = ctx.deps.state;
  const role = state.roleOf(repo, login);
  return {
    ...repoJson(repo, ctx.deps.urls, state.account(repo.owner)),
    permissions: {
      admin: role === "admin",
      maintain: role === "admin" || role === "maintain",
      push: canWrite(role),
      triage: role !== "read" && role !== "none",
      pull: role !== "none" || !repo.private,
    },
  };
}

const appRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/app$/,
    handler: (ctx) => {
      requireApp(ctx.who);
      const app = ctx.deps.state.app;
      sendJson(ctx.res, 200, {
        id: app.id,
        slug: app.slug,
        name: app.name,
        client_id: app.clientId,
        permissions: app.permissions,
        events: app.events,
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/app\/installations$/,
    handler: (ctx) => {
      requireApp(ctx.who);
      const all = [...ctx.deps.state.installations.values()].sort((a, b) => a.id - b.id);
      return sendPage(ctx, all, (i) => installationJson(i, shapes(ctx)));
    },
  },
  {
    method: "GET",
    pattern: /^\/app\/installations\/(\d+)$/,
    handler: (ctx) => {
      requireApp(ctx.who);
      const inst = ctx.deps.state.installations.get(Number(ctx.params[0]));
      if (!inst) throw notFound();
      sendJson(ctx.res, 200, installationJson(inst, shapes(ctx)));
    },
  },
  {
    method: "POST",
    pattern: /^\/app\/installations\/(\d+)\/access_tokens$/,
    handler: async (ctx) => {
      requireApp(ctx.who);
      const { state, tokens, urls } = ctx.deps;
      const inst = state.installations.get(Number(ctx.params[0]));
      if (!inst) throw notFound();
      const token = tokens.mint(inst, await readJson(ctx.req), ctx.deps.now());
      const repos =
        token.repositoryIds === "all" ? null : token.repositoryIds.flatMap((id) => state.repoById(id) ?? []);
      sendJson(ctx.res, 201, {
        token: token.token,
        expires_at: isoSeconds(token.expiresAt),
        permissions: token.permissions,
        repository_selection: token.repositoryIds === "all" ? "all" : "selected",
        ...(repos ? { repositories: repos.map((r) => repoJson(r, urls, state.account(r.owner))) } : {}),
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/installation$/,
    handler: (ctx) => {
      requireApp(ctx.who);
      const repo = ctx.deps.state.repo(ctx.params[0] ?? "", ctx.params[1] ?? "");
      const inst = repo ? ctx.deps.state.installationFor(repo) : undefined;
      if (!inst) throw notFound();
      sendJson(ctx.res, 200, installationJson(inst, shapes(ctx)));
    },
  },
];

const tokenRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/installation\/repositories$/,
    handler: (ctx) => {
      const who = ctx.who;
      if (who.kind !== "installation")
        throw new GithubApiError(403, "This endpoint needs an installation token");
      const { state, tokens, urls } = ctx.deps;
      const inst = state.installations.get(who.token.installationId);
      const repos = inst ? state.installationRepos(inst).filter((r) => tokens.covers(who.token, r)) : [];
      return sendPage(
        ctx,
        repos,
        (r) => repoJson(r, urls, state.account(r.owner)),
        (page) => ({
          total_count: repos.length,
          repository_selection: inst?.repositoryIds === "all" ? "all" : "selected",
          repositories: page,
        }),
      );
    },
  },
  {
    method: "GET",
    pattern: /^\/user$/,
    handler: (ctx) => {
      if (ctx.who.kind !== "user") throw new GithubApiError(403, "Resource not accessible by integration");
      sendJson(ctx.res, 200, userJson(ctx.who.user, ctx.deps.urls));
    },
  },
  {
    // "List email addresses for the authenticated user": the public one if set, else GitHub's no-reply address.
    method: "GET",
    pattern: /^\/user\/emails$/,
    handler: (ctx) => {
      if (ctx.who.kind !== "user") throw new GithubApiError(403, "Resource not accessible by integration");
      const u = ctx.who.user;
      const email = u.email ?? `${u.id}+${u.login}@users.noreply.github.com`;
      sendJson(ctx.res, 200, [
        { email, primary: true, verified: true, visibility: u.email ? "public" : null },
      ]);
    },
  },
  {
    // "List app installations accessible to the user access token".
    method: "GET",
    pattern: /^\/user\/installations$/,
    handler: (ctx) => {
      if (ctx.who.kind !== "user") throw new GithubApiError(403, "Resource not accessible by integration");
      const visible = ctx.deps.state.installationsVisibleTo(ctx.who.user.login);
      return sendPage(
        ctx,
        visible,
        (i) => installationJson(i, shapes(ctx)),
        (page) => ({ total_count: visible.length, installations: page }),
      );
    },
  },
  {
    // "List repositories accessible to the user access token" within one installation.
    method: "GET",
    pattern: /^\/user\/installations\/(\d+)\/repositories$/,
    handler: (ctx) => {
      const who = ctx.who;
      if (who.kind !== "user") throw new GithubApiError(403, "Resource not accessible by integration");
      const state = ctx.deps.state;
      const inst = state.installationsVisibleTo(who.user.login).find((i) => i.id === Number(ctx.params[0]));
      if (!inst) throw notFound();
      const repos = state
        .installationRepos(inst)
        .filter((r) => !r.private || state.roleOf(r, who.user.login) !== "none");
      return sendPage(
        ctx,
        repos,
        (r) => repoWithPermissions(ctx, r, who.user.login),
        (page) => ({
          total_count: repos.length,
          repository_selection: inst.repositoryIds === "all" ? "all" : "selected",
          repositories: page,
        }),
      );
    },
  },
];

const repoRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)$/,
    handler: (ctx) => {
      const repo = visibleRepo(ctx);
      const { state, urls } = ctx.deps;
      sendJson(
        ctx.res,
        200,
        ctx.who.kind === "user"
          ? repoWithPermissions(ctx, repo, ctx.who.user.login)
          : repoJson(repo, urls, state.account(repo.owner)),
      );
    },
  },
  {
    method: "GET",
    pattern: /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/,
    handler: (ctx) => {
      const repo = visibleRepo(ctx);
      requireAccess(ctx, repo, "metadata", "read");
      const user = ctx.deps.state.user(ctx.params[2] ?? "");
      if (!user) throw new GithubApiError(404, `${ctx.params[2]} is not a user`);
      const role = ctx.deps.state.roleOf(repo, user.login);
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      sendJson(ctx.res, 200, { permission, role_name: role, user: userJson(user, ctx.deps.urls) });
    },
  },
];

const routes: Route[] = [...appRoutes, ...tokenRoutes, ...repoRoutes, ...issueRoutes, ...pullRoutes];

/** Dispatches one REST request: 404 when no route matches the path, 405 when only the method is wrong. */
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
  await found.handler({ req, res, url, path, params, who, deps });
}
