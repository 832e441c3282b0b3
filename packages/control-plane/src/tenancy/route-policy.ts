/**
 * Every route's access rule, in one table keyed by "METHOD /path" exactly as Hono registers it.
 * Tenant routes name the action they need (see permissions.ts) and may ask for an ownership
 * check, a rate limit or an audit entry. A route missing from this table fails closed, and a
 * test fails if any route of the app is missing.
 */
import type { AuditAction } from "@nightshift/protocol";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import { findSession } from "../db/repositories/sessions";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { enforceRateLimit } from "../rate-limit/limiter";
import { type Action, authorize, can } from "./permissions";

export type RoutePolicy =
  | { kind: "public"; reason: string }
  | { kind: "user"; reason: string }
  | {
      kind: "tenant";
      action: Action;
      /** Members may drive only sessions they created (`:id`); admins and owners any. */
      ownSession?: boolean;
      /** Session creation: limited per tenant and per API key. */
      rateLimited?: boolean;
      /** Recorded on success; the target id comes from `:id` or the Location header. */
      audit?: { action: AuditAction; target: "param:id" | "location" };
    };

/** Whole path prefixes that are not /api/v1 and authenticate in their own way. */
export const PUBLIC_PREFIXES: { prefix: string; reason: string }[] = [
  { prefix: "/auth/", reason: "sign-in and sign-out: these create the credentials everything else needs" },
  {
    prefix: "/sandbox/",
    reason: "called by sandboxes with their own sandbox token, checked against the session's tenant",
  },
  {
    prefix: "/webhooks/",
    reason:
      "called by GitHub, Slack, Linear and automations' senders, verified by signature (or an automation's scoped key); the tenant comes from the verified delivery",
  },
];

const sessionPolicies: Record<string, RoutePolicy> = {
  "POST /sessions": {
    kind: "tenant",
    action: "session.create",
    rateLimited: true,
    audit: { action: "session.created", target: "location" },
  },
  "GET /sessions": { kind: "tenant", action: "session.read" },
  "GET /sessions/:id": { kind: "tenant", action: "session.read" },
  "GET /sessions/:id/usage": { kind: "tenant", action: "session.read" },
  "GET /sessions/:id/slack-thread": { kind: "tenant", action: "session.read" },
  "GET /sessions/:id/linear-issue": { kind: "tenant", action: "session.read" },
  "GET /repositories": { kind: "tenant", action: "session.read" },
  "GET /agents": { kind: "tenant", action: "session.read" },
  "GET /sessions/:id/events": { kind: "tenant", action: "session.read" },
  "GET /sessions/:id/stream": { kind: "tenant", action: "session.read" },
  "POST /sessions/:id/prompts": { kind: "tenant", action: "session.create", ownSession: true },
  "POST /sessions/:id/stop": {
    kind: "tenant",
    action: "session.create",
    ownSession: true,
    audit: { action: "session.stopped", target: "param:id" },
  },
};

/** Session routes answer both at /api/v1/sessions (tenant from header or key) and under a tenant path. */
function sessionRoutePolicies(): Record<string, RoutePolicy> {
  const out: Record<string, RoutePolicy> = {};
  for (const [key, policy] of Object.entries(sessionPolicies)) {
    const [method, path] = key.split(" ");
    out[`${method} /api/v1${path}`] = policy;
    out[`${method} /api/v1/tenants/:tenantId${path}`] = policy;
  }
  return out;
}

const T = "/api/v1/tenants/:tenantId";

/** The caller's own model accounts, at /api/v1/me/... and under a tenant path; any member, own only. */
function myModelAccountPolicies(): Record<string, RoutePolicy> {
  const out: Record<string, RoutePolicy> = {};
  for (const prefix of ["/api/v1", T]) {
    out[`GET ${prefix}/me/model-accounts`] = { kind: "tenant", action: "model_account.manage_own" };
    out[`PUT ${prefix}/me/model-accounts/:provider`] = { kind: "tenant", action: "model_account.manage_own" };
    out[`DELETE ${prefix}/me/model-accounts/:provider`] = {
      kind: "tenant",
      action: "model_account.manage_own",
    };
  }
  return out;
}

export const ROUTE_POLICIES: Record<string, RoutePolicy> = {
  "GET /api/v1/health": { kind: "public", reason: "liveness probe; says nothing about any tenant" },
  "GET /api/v1/openapi.json": { kind: "public", reason: "the API's description; no tenant data" },
  "GET /api/v1/me": { kind: "user", reason: "the caller's own identity and memberships" },
  "GET /api/v1/tenants": { kind: "user", reason: "lists only the caller's own tenants" },
  "POST /api/v1/tenants": { kind: "user", reason: "any signed-in user may create a tenant and owns it" },
  ...sessionRoutePolicies(),
  [`GET ${T}`]: { kind: "tenant", action: "tenant.read" },
  [`DELETE ${T}`]: { kind: "tenant", action: "tenant.delete" },
  [`GET ${T}/members`]: { kind: "tenant", action: "member.read" },
  [`POST ${T}/members`]: { kind: "tenant", action: "member.manage" },
  [`PATCH ${T}/members/:userId`]: { kind: "tenant", action: "member.manage" },
  [`DELETE ${T}/members/:userId`]: { kind: "tenant", action: "member.manage" },
  [`GET ${T}/api-keys`]: { kind: "tenant", action: "api_key.manage_own" },
  [`POST ${T}/api-keys`]: { kind: "tenant", action: "api_key.manage_own" },
  [`DELETE ${T}/api-keys/:keyId`]: { kind: "tenant", action: "api_key.manage_own" },
  // Approving a device sign-in mints the approver an API key in this tenant (signed-in browsers only).
  [`GET ${T}/device-authorizations/:userCode`]: { kind: "tenant", action: "api_key.manage_own" },
  [`POST ${T}/device-authorizations/:userCode/approve`]: { kind: "tenant", action: "api_key.manage_own" },
  [`POST ${T}/device-authorizations/:userCode/deny`]: { kind: "tenant", action: "api_key.manage_own" },
  [`GET ${T}/secrets`]: { kind: "tenant", action: "secret.read" },
  [`PUT ${T}/secrets/:name`]: { kind: "tenant", action: "secret.manage" },
  [`DELETE ${T}/secrets/:name`]: { kind: "tenant", action: "secret.manage" },
  [`GET ${T}/audit`]: { kind: "tenant", action: "audit.read" },
  // Automations start sessions as the member who set them up: admins manage them, members read.
  [`GET ${T}/automations`]: { kind: "tenant", action: "automation.read" },
  [`POST ${T}/automations`]: { kind: "tenant", action: "automation.manage" },
  [`GET ${T}/automations/:id`]: { kind: "tenant", action: "automation.read" },
  [`PATCH ${T}/automations/:id`]: { kind: "tenant", action: "automation.manage" },
  [`DELETE ${T}/automations/:id`]: { kind: "tenant", action: "automation.manage" },
  [`POST ${T}/automations/:id/rotate-secret`]: { kind: "tenant", action: "automation.manage" },
  [`POST ${T}/automations/:id/run`]: { kind: "tenant", action: "automation.manage" },
  [`POST ${T}/automations/:id/test`]: { kind: "tenant", action: "automation.read" },
  [`GET ${T}/automations/:id/runs`]: { kind: "tenant", action: "automation.read" },
  [`GET ${T}/settings`]: { kind: "tenant", action: "tenant.read" },
  [`PUT ${T}/settings/egress`]: { kind: "tenant", action: "settings.manage" },
  // The gateway's base URLs can name private hosts and budgets are commercial: admins read them too.
  [`GET ${T}/settings/model`]: { kind: "tenant", action: "settings.manage" },
  [`PUT ${T}/settings/model`]: { kind: "tenant", action: "settings.manage" },
  [`GET ${T}/settings/budget`]: { kind: "tenant", action: "settings.manage" },
  [`PUT ${T}/settings/budget`]: { kind: "tenant", action: "settings.manage" },
  [`GET ${T}/settings/sandbox`]: { kind: "tenant", action: "tenant.read" },
  [`PUT ${T}/settings/sandbox`]: { kind: "tenant", action: "settings.manage" },
  [`GET ${T}/settings/agents`]: { kind: "tenant", action: "tenant.read" },
  [`PUT ${T}/settings/agents`]: { kind: "tenant", action: "settings.manage" },
  ...myModelAccountPolicies(),
  // Members see which tenant model accounts exist (provider, scope, masked hint); admins write them.
  [`GET ${T}/settings/model-accounts`]: { kind: "tenant", action: "tenant.read" },
  [`PUT ${T}/settings/model-accounts/:provider`]: { kind: "tenant", action: "secret.manage" },
  [`DELETE ${T}/settings/model-accounts/:provider`]: { kind: "tenant", action: "secret.manage" },
  [`GET ${T}/github`]: { kind: "tenant", action: "tenant.read" },
  [`POST ${T}/github/connect`]: { kind: "tenant", action: "github.connect" },
  [`DELETE ${T}/github/installations/:installationId`]: { kind: "tenant", action: "github.connect" },
  // Linear: members see it and link their own Linear account; admins install it and map teams to repositories.
  [`GET ${T}/linear`]: { kind: "tenant", action: "tenant.read" },
  [`POST ${T}/linear/connect`]: { kind: "tenant", action: "integration.manage" },
  [`DELETE ${T}/linear`]: { kind: "tenant", action: "integration.manage" },
  [`PUT ${T}/linear/teams/:teamId`]: { kind: "tenant", action: "integration.manage" },
  [`DELETE ${T}/linear/teams/:teamId`]: { kind: "tenant", action: "integration.manage" },
  [`POST ${T}/linear/link`]: { kind: "tenant", action: "tenant.read" },
  // Slack: members see it and link their own Slack account; admins install it and set channel defaults.
  [`GET ${T}/slack`]: { kind: "tenant", action: "tenant.read" },
  [`POST ${T}/slack/connect`]: { kind: "tenant", action: "integration.manage" },
  [`DELETE ${T}/slack`]: { kind: "tenant", action: "integration.manage" },
  [`PUT ${T}/slack/channels/:channelId`]: { kind: "tenant", action: "integration.manage" },
  [`DELETE ${T}/slack/channels/:channelId`]: { kind: "tenant", action: "integration.manage" },
  [`POST ${T}/slack/link`]: { kind: "tenant", action: "tenant.read" },
  // Warm start per repository: members see it, admins turn it on or off and ask for a rebuild.
  [`GET ${T}/warm-start`]: { kind: "tenant", action: "tenant.read" },
  [`PUT ${T}/warm-start`]: { kind: "tenant", action: "settings.manage" },
  [`POST ${T}/warm-start/rebuild`]: { kind: "tenant", action: "settings.manage" },
  // The month's spend against the budget: every member sees it (the dashboard's budget banner).
  [`GET ${T}/budget`]: { kind: "tenant", action: "tenant.read" },
  // Sessions, pull requests and usage over a range, per user, repository, agent or model: members read.
  [`GET ${T}/analytics`]: { kind: "tenant", action: "tenant.read" },
  [`GET ${T}/analytics.csv`]: { kind: "tenant", action: "tenant.read" },
};

export function policyFor(method: string, path: string): RoutePolicy | undefined {
  const exact = ROUTE_POLICIES[`${method} ${path}`];
  if (exact) return exact;
  const prefix = PUBLIC_PREFIXES.find((p) => path.startsWith(p.prefix));
  return prefix ? { kind: "public", reason: prefix.reason } : undefined;
}

/** The handler that will answer (the last matched route that is not middleware), if any. */
function finalRoute(c: Context): { method: string; path: string } | undefined {
  const routes = matchedRoutes(c).filter((r) => r.method !== "ALL");
  return routes.at(-1);
}

/** Route params of the final handler (middleware only sees its own pattern's params). */
export function paramsOf(pattern: string, path: string): Record<string, string> {
  const want = pattern.split("/");
  const got = path.split("/");
  const out: Record<string, string> = {};
  want.forEach((seg, i) => {
    const value = got[i];
    if (seg.startsWith(":") && value !== undefined) {
      try {
        out[seg.slice(1)] = decodeURIComponent(value);
      } catch {
        out[seg.slice(1)] = value;
      }
    }
  });
  return out;
}

async function assertOwnSession(c: Context<AppEnv>, sessionId: string | undefined): Promise<void> {
  const actor = c.var.actor;
  if (!sessionId || can(actor.role, "session.drive_any")) return;
  const session = await findSession(openDatabase(c.env.DB), actor.tenantId, sessionId);
  // A session that does not exist here is the route's 404 to give, not ours.
  if (session && session.createdBy !== actor.userId) {
    throw new AppError("forbidden", "members may drive only sessions they created; ask an admin");
  }
}

function auditTarget(
  c: Context,
  target: "param:id" | "location",
  params: Record<string, string>,
): string | undefined {
  if (target === "param:id") return params.id;
  return c.res.headers.get("location")?.split("/").pop() || undefined;
}

/** Runs after resolveTenant on /api/v1: role, ownership, rate limit; then audit on success. */
export const enforcePolicy = createMiddleware<AppEnv>(async (c, next) => {
  const route = finalRoute(c);
  if (!route) return next(); // no handler: the app answers 404
  const policy = policyFor(route.method, route.path);
  if (policy?.kind !== "tenant") {
    throw new Error(
      `route ${route.method} ${route.path} has no tenant access policy in tenancy/route-policy.ts`,
    );
  }
  const actor = c.var.actor;
  authorize(actor, policy.action);
  const params = paramsOf(route.path, c.req.path);
  if (policy.ownSession) await assertOwnSession(c, params.id);
  if (policy.rateLimited) {
    await enforceRateLimit(c.env, actor.tenantId, { name: "sessionCreateTenant", bucket: "tenant" });
    if (actor.apiKeyId) {
      await enforceRateLimit(c.env, actor.tenantId, {
        name: "sessionCreateKey",
        bucket: `key:${actor.apiKeyId}`,
      });
    }
  }
  await next();
  const audit = policy.audit;
  if (audit && c.res.status >= 200 && c.res.status < 300) {
    const id = auditTarget(c, audit.target, params);
    if (id)
      await recordAudit(openDatabase(c.env.DB), actor.tenantId, actor, {
        action: audit.action,
        target: { type: "session", id },
      });
  }
});
