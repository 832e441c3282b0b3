/**
 * A double of Linear's API, reached through the same base URL setting a user would change
 * (LINEAR_API_URL / LINEAR_WEB_URL): the OAuth authorize redirect and token endpoint (authorization
 * code and refresh grants, rotating refresh tokens, expiring access tokens), GraphQL for the
 * operations Nightshift sends (graphql.ts), injected outages and rate limiting, and `/_double/*`
 * routes for tests inside workerd that cannot hold this object.
 */

import { type ServedDouble, serveDouble } from "../serve-double";
import { type GraphqlReply, graphqlError, runOperation } from "./graphql";
import { type LinearDoubleOptions, LinearState } from "./linear-state";

export interface Failure {
  status: number;
  code: string;
  retryAfterSeconds?: number;
}

export interface LinearDouble {
  url: string;
  state: LinearState;
  /** The next `count` GraphQL calls fail this way (an outage, rate limiting). */
  failNext(count: number, failure: Failure): void;
  close(): Promise<void>;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function createLinearDouble(options: LinearDoubleOptions) {
  const state = new LinearState(options);
  const failures: Failure[] = [];

  function reply(r: GraphqlReply): Response {
    return json(r.status, r.body, r.headers);
  }

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    if (form.get("client_id") !== options.clientId || form.get("client_secret") !== options.clientSecret)
      return json(401, { error: "invalid_client", error_description: "Client authentication failed" });
    const grant = form.get("grant_type") ?? "";
    state.recorded.tokenGrants.push({ grantType: grant, at: Date.now() });
    if (grant === "authorization_code") {
      const code = form.get("code") ?? "";
      if (!state.codes.delete(code))
        return json(400, { error: "invalid_grant", error_description: "Invalid code" });
      return json(200, state.mintTokens(Date.now()));
    }
    if (grant === "refresh_token") {
      const refresh = form.get("refresh_token") ?? "";
      if (!state.refreshTokens.delete(refresh))
        return json(400, { error: "invalid_grant", error_description: "Invalid refresh token" });
      return json(200, state.mintTokens(Date.now()));
    }
    return json(400, { error: "unsupported_grant_type" });
  }

  async function graphql(request: Request): Promise<Response> {
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const expires = bearer ? state.accessTokens.get(bearer) : undefined;
    if (!bearer || expires === undefined || expires <= Date.now())
      return reply(graphqlError(401, "AUTHENTICATION_ERROR", "Authentication required, not authenticated"));
    const failure = failures.shift();
    if (failure) {
      const r = graphqlError(failure.status, failure.code, `injected ${failure.code}`);
      return reply(
        failure.retryAfterSeconds !== undefined
          ? { ...r, headers: { "retry-after": String(failure.retryAfterSeconds) } }
          : r,
      );
    }
    const body = (await request.json().catch(() => null)) as { query?: unknown; variables?: unknown } | null;
    if (typeof body?.query !== "string")
      return reply(graphqlError(400, "GRAPHQL_PARSE_FAILED", "Must provide query string."));
    const variables = typeof body.variables === "object" && body.variables !== null ? body.variables : {};
    return reply(runOperation(state, body.query, variables as Record<string, unknown>, Date.now()));
  }

  async function inspection(request: Request, path: string): Promise<Response> {
    if (request.method === "GET" && path === "/_double/recorded") return json(200, state.recorded);
    if (request.method === "GET" && path === "/_double/organization")
      return json(200, { organization: state.organization, appUserId: state.appUserId });
    if (request.method === "POST" && path === "/_double/code") return json(200, { code: state.issueCode() });
    if (request.method === "POST" && path === "/_double/issues") {
      const body = (await request.json().catch(() => ({}))) as {
        teamId?: string;
        title?: string;
        description?: string;
      };
      const created = state.addIssue(body.teamId, {
        title: body.title ?? "An issue",
        description: body.description ?? "",
      });
      return json(200, { ...created, state: state.stateOf(created.issueId) });
    }
    const issue = /^\/_double\/issues\/([^/]+)$/.exec(path);
    if (request.method === "GET" && issue?.[1]) return json(200, { state: state.stateOf(issue[1]) });
    if (request.method === "POST" && path === "/_double/fail") {
      const body = (await request.json()) as { count: number } & Failure;
      for (let i = 0; i < body.count; i++) failures.push(body);
      return json(200, { queued: failures.length });
    }
    if (request.method === "POST" && path === "/_double/expire-tokens") {
      for (const key of state.accessTokens.keys()) state.accessTokens.set(key, 0);
      return json(200, {});
    }
    return json(404, { error: "no such double route" });
  }

  return {
    state,
    failNext(count: number, failure: Failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/_double/")) return inspection(request, url.pathname);
      if (request.method === "GET" && url.pathname === "/oauth/authorize") {
        const redirect = url.searchParams.get("redirect_uri");
        if (url.searchParams.get("client_id") !== options.clientId || !redirect)
          return json(400, { error: "invalid_request" });
        const back = new URL(redirect);
        back.searchParams.set("code", state.issueCode());
        const given = url.searchParams.get("state");
        if (given) back.searchParams.set("state", given);
        return Response.redirect(back.toString(), 302);
      }
      if (request.method === "POST" && url.pathname === "/oauth/token") return token(request);
      if (request.method === "POST" && url.pathname === "/graphql") return graphql(request);
      return json(404, { error: "not found" });
    },
    async shutdown() {},
  };
}

export async function startLinearDouble(options: LinearDoubleOptions): Promise<LinearDouble> {
  const api = createLinearDouble(options);
  const served: ServedDouble = await serveDouble(api);
  return { url: served.origin, state: api.state, failNext: api.failNext, close: () => served.close() };
}
