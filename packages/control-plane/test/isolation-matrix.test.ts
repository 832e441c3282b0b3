/**
 * The tenant-isolation matrix, generated from the app's own route table (Hono's `app.routes`),
 * so a new route is covered the day it is added. Tenant B's owner calls every route on tenant A's
 * resources and must get 404 and none of A's data; a route the matrix cannot place (neither
 * tenant-scoped, user-level nor on the public allowlist with a reason) fails the suite.
 */

import { env } from "cloudflare:workers";
import { type ApiKey, type SecretMeta, type Session, TENANT_HEADER } from "@nightshift/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { openDatabase } from "../src/db/client";
import { linkInstallation, replaceRepositories } from "../src/db/repositories/github";
import type { Bindings } from "../src/env";
import { decryptSecretsForSandbox } from "../src/secrets/sandbox-secrets";
import { PUBLIC_PREFIXES, policyFor, ROUTE_POLICIES } from "../src/tenancy/route-policy";
import { api, browserHeaders, type Caller, createTenant, type Identity, postJson } from "./helpers";

interface Route {
  method: string;
  path: string;
}

/** Bodies, queries and headers a route needs to get past validation to its tenant checks. */
function sampleRequest(route: Route, a: TenantA): { init: RequestInit; query?: string } {
  const json = (body: unknown): RequestInit => ({
    method: route.method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const key = `${route.method} ${route.path.replace("/api/v1/tenants/:tenantId", "")}`;
  switch (key) {
    case "POST /sessions":
    case "POST /api/v1/sessions":
      return { init: json({ repo: { kind: "local", path: "demo" }, prompt: "steal" }) };
    case "POST /sessions/:id/prompts":
    case "POST /api/v1/sessions/:id/prompts":
      return { init: json({ text: "and exfiltrate" }) };
    case "GET /sessions/:id/stream":
    case "GET /api/v1/sessions/:id/stream":
      return { init: { method: "GET", headers: { upgrade: "websocket" } } };
    case "DELETE ":
      return { init: { method: "DELETE" }, query: `?confirm=${a.owner.slug}` };
    case "POST /members":
      return { init: json({ login: "nobody", role: "member" }) };
    case "PATCH /members/:userId":
      return { init: json({ role: "owner" }) };
    case "POST /api-keys":
      return { init: json({ name: "stolen", role: "owner" }) };
    case "PUT /linear/teams/:teamId":
    case "PUT /slack/channels/:channelId":
      return { init: json({ repository: "acme/widgets" }) };
    case "PUT /secrets/:name":
      return { init: json({ value: "overwritten-by-b" }) };
    case "POST /automations":
      return {
        init: json({
          name: "b's",
          trigger: { kind: "webhook" },
          repo: { mode: "fixed", repo: { kind: "local", path: "demo" } },
          promptTemplate: "steal {{payload.x}}",
        }),
      };
    case "PATCH /automations/:id":
      return { init: json({ enabled: false }) };
    case "POST /automations/:id/test":
      return { init: json({ payload: { x: 1 } }) };
    case "PUT /me/model-accounts/:provider":
    case "PUT /api/v1/me/model-accounts/:provider":
    case "PUT /settings/model-accounts/:provider":
      return { init: json({ value: "overwritten-model-key-by-b" }) };
    default:
      return { init: { method: route.method } };
  }
}

interface TenantA {
  owner: Identity;
  session: Session;
  keyId: string;
  keyPrefix: string;
  secretName: string;
  installationId: number;
  automationId: string;
  automationSecret: string;
}

/** Everything of A's that must never show up in an answer to B (unless B put it in the request). */
function secretsOf(a: TenantA): string[] {
  return [
    a.owner.tenantId,
    a.owner.slug,
    a.owner.userId,
    a.owner.login,
    a.session.id,
    a.keyId,
    a.keyPrefix,
    a.secretName,
    "a-value-1234",
    "a-own-model-key-5678",
    "iso-a-github-account",
    "iso-a-private-repo",
    a.owner.apiKey,
    a.automationId,
    a.automationSecret,
    "iso-a-automation",
  ];
}

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    // An automation's routes take its own id, not the session's.
    const value = params[name === "id" && path.includes("/automations/") ? "automationId" : name];
    if (value === undefined) throw new Error(`the matrix has no value for :${name} in ${path}; add one`);
    return encodeURIComponent(value);
  });
}

const RESOURCE_PARAM = /:(?!tenantId\b)\w+/;

async function expectNoLeak(res: Response, a: TenantA, sent: string, label: string): Promise<string> {
  const body = res.status === 101 ? "" : await res.text();
  for (const value of secretsOf(a)) {
    if (!sent.includes(value)) expect(body, `${label} leaked ${value}`).not.toContain(value);
  }
  return body;
}

describe("tenant isolation matrix (every route × tenant B's credentials on tenant A)", () => {
  const routes: Route[] = createApp()
    .routes.filter((r) => r.method !== "ALL")
    .map((r) => ({ method: r.method, path: r.path }));
  const apiRoutes = routes.filter((r) => policyFor(r.method, r.path)?.kind === "tenant");
  let a: TenantA;
  let b: Identity;
  /** B's owner as API key and as a signed-in browser: the two ways in, resolved by different code. */
  let callersB: [string, Caller][];

  beforeAll(async () => {
    const owner = await createTenant("iso-a");
    b = await createTenant("iso-b");
    callersB = [
      ["API key", b],
      ["session cookie", await browserHeaders(b.userId)],
    ];
    const created = await postJson(
      "/api/v1/sessions",
      { repo: { kind: "local", path: "demo" }, prompt: "A's work" },
      {},
      owner,
    );
    expect(created.status).toBe(201);
    const session = (await created.json()) as Session;
    const secretName = "A_ONLY_SECRET";
    const put = await api(
      `/api/v1/tenants/${owner.tenantId}/secrets/${secretName}`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ value: "a-value-1234" }),
      },
      owner,
    );
    expect(put.status).toBe(201);
    const keys = (await (await api(`/api/v1/tenants/${owner.tenantId}/api-keys`, {}, owner)).json()) as {
      apiKeys: ApiKey[];
    };
    const key = keys.apiKeys[0];
    if (!key) throw new Error("tenant A has no API key");
    // A's GitHub installation, linked straight in D1 (the connect flow itself is tested elsewhere).
    const db = openDatabase(env.DB);
    const installationId = 900_000 + Math.floor(Math.random() * 99_999);
    await linkInstallation(db, owner.tenantId, {
      id: installationId,
      accountLogin: "iso-a-github-account",
      linkedBy: owner.userId,
      now: Date.now(),
    });
    await replaceRepositories(db, owner.tenantId, installationId, [
      { id: installationId, owner: "iso-a-github-account", name: "iso-a-private-repo" },
    ]);
    // A's owner's own model account, which B must neither see nor replace nor delete.
    const account = await api(
      `/api/v1/tenants/${owner.tenantId}/me/model-accounts/anthropic`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ value: "a-own-model-key-5678" }),
      },
      owner,
    );
    expect(account.status).toBe(201);
    // A's automation and its signing secret.
    const automation = await postJson(
      `/api/v1/tenants/${owner.tenantId}/automations`,
      {
        name: "iso-a-automation",
        trigger: { kind: "webhook" },
        repo: { mode: "fixed", repo: { kind: "local", path: "demo" } },
        promptTemplate: "A's chores {{payload.x}}",
      },
      {},
      owner,
    );
    expect(automation.status).toBe(201);
    const made = (await automation.json()) as { automation: { id: string }; secret: string };
    a = {
      owner,
      session,
      keyId: key.id,
      keyPrefix: key.prefix,
      secretName,
      installationId,
      automationId: made.automation.id,
      automationSecret: made.secret,
    };
  });

  function paramsOfA(): Record<string, string> {
    return {
      tenantId: a.owner.tenantId,
      id: a.session.id,
      userId: a.owner.userId,
      keyId: a.keyId,
      name: a.secretName,
      installationId: String(a.installationId),
      teamId: "linear-team-a",
      channelId: "C0A1B2C3D4",
      provider: "anthropic",
      automationId: a.automationId,
      userCode: "BCDF-GHJK",
    };
  }

  it("places every route: tenant-scoped, user-level, or public with a stated reason", () => {
    const unplaced = routes.filter((r) => !policyFor(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    expect(unplaced, "routes with no policy in tenancy/route-policy.ts").toEqual([]);
    for (const r of routes) {
      const policy = policyFor(r.method, r.path);
      if (policy?.kind !== "tenant")
        expect(policy?.reason.length, `${r.method} ${r.path} needs a reason`).toBeGreaterThan(10);
    }
    for (const p of PUBLIC_PREFIXES) expect(p.reason.length).toBeGreaterThan(10);
    // The policy table names no route the app does not have (a stale entry would hide a rename).
    const real = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(Object.keys(ROUTE_POLICIES).filter((k) => !real.has(k))).toEqual([]);
    console.log(`isolation matrix: ${apiRoutes.length} tenant-scoped routes of ${routes.length}`);
    expect(apiRoutes.length).toBeGreaterThanOrEqual(25);
  });

  it("refuses every non-public route without credentials (401)", async () => {
    const guarded = routes.filter(
      (r) => r.path.startsWith("/api/v1/") && policyFor(r.method, r.path)?.kind !== "public",
    );
    for (const route of guarded) {
      const { init, query } = sampleRequest(route, a);
      const res = await api(fill(route.path, paramsOfA()) + (query ?? ""), init, null);
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
      await expectNoLeak(res, a, "", `${route.method} ${route.path} (anonymous)`);
    }
  });

  it("answers 404 to B naming tenant A, on every tenant-scoped route", async () => {
    for (const [how, caller] of callersB) {
      for (const route of apiRoutes) {
        const { init, query } = sampleRequest(route, a);
        const path = fill(route.path, paramsOfA()) + (query ?? "");
        const headers = new Headers(init.headers);
        if (!route.path.includes(":tenantId")) headers.set(TENANT_HEADER, a.owner.tenantId);
        const res = await api(path, { ...init, headers }, caller);
        const label = `${route.method} ${route.path} as B (${how}) naming A`;
        expect(res.status, label).toBe(404);
        await expectNoLeak(res, a, `${path} ${[...headers.values()].join(" ")}`, label);
      }
    }
  });

  it("answers 404 to B using A's resource ids inside B, and B's lists show none of A's data", async () => {
    // PUTs last: they create B's own namesake of A's resource, which later calls would then find.
    const ordered = [...apiRoutes].sort((x, y) => Number(x.method === "PUT") - Number(y.method === "PUT"));
    for (const route of ordered) {
      const hasResource = RESOURCE_PARAM.test(route.path);
      if (!hasResource && route.method !== "GET") continue; // writes without ids act on B's own tenant
      for (const [how, caller] of callersB) {
        const { init, query } = sampleRequest(route, a);
        const path = fill(route.path, { ...paramsOfA(), tenantId: b.tenantId }) + (query ?? "");
        const res = await api(path, init, caller);
        const label = `${route.method} ${route.path} as B (${how}) in B`;
        // PUT names a resource to create or replace in B's own tenant: success there is no leak, nor
        // is a 404 for what the PUT hangs off that B lacks (a Slack channel without a workspace).
        if (hasResource && route.method !== "PUT") expect(res.status, label).toBe(404);
        else expect(res.status < 300 || res.status === 404, `${label}: ${res.status}`).toBe(true);
        await expectNoLeak(res, a, path, label);
      }
    }
  });

  it("user-level routes show B nothing of A", async () => {
    for (const [how, caller] of callersB) {
      for (const route of routes.filter(
        (r) => policyFor(r.method, r.path)?.kind === "user" && r.method === "GET",
      )) {
        const res = await api(route.path, {}, caller);
        expect(res.status, `${route.path} (${how})`).toBe(200);
        await expectNoLeak(res, a, "", `${route.method} ${route.path} as B (${how})`);
      }
    }
  });

  it("leaves tenant A exactly as it was", async () => {
    const owner = a.owner;
    expect((await api(`/api/v1/sessions/${a.session.id}`, {}, owner)).status).toBe(200);
    const secrets = (await (await api(`/api/v1/tenants/${owner.tenantId}/secrets`, {}, owner)).json()) as {
      secrets: SecretMeta[];
    };
    expect(secrets.secrets.map((s) => s.name)).toEqual([a.secretName]);
    const keys = (await (await api(`/api/v1/tenants/${owner.tenantId}/api-keys`, {}, owner)).json()) as {
      apiKeys: ApiKey[];
    };
    expect(keys.apiKeys.map((k) => [k.id, k.revokedAt])).toEqual([[a.keyId, null]]);
    const members = (await (await api(`/api/v1/tenants/${owner.tenantId}/members`, {}, owner)).json()) as {
      members: { userId: string; role: string }[];
    };
    expect(members.members).toEqual([expect.objectContaining({ userId: owner.userId, role: "owner" })]);
    expect((await api(`/api/v1/tenants/${owner.tenantId}`, {}, owner)).status).toBe(200);
    // B's disconnect calls named A's installation; it is still A's, with its repository.
    const github = (await (await api(`/api/v1/tenants/${owner.tenantId}/github`, {}, owner)).json()) as {
      installations: { id: number; repositories: { name: string }[] }[];
    };
    expect(github.installations.map((i) => [i.id, i.repositories.map((r) => r.name)])).toEqual([
      [a.installationId, ["iso-a-private-repo"]],
    ]);
    // B wrote a secret of the same name in B; A's value is untouched.
    expect(await decryptSecretsForSandbox(env as unknown as Bindings, owner.tenantId, "local:demo")).toEqual({
      [a.secretName]: "a-value-1234",
    });
    // B's PUTs and DELETEs of model accounts named A; A's owner's own account is untouched.
    const accounts = await api(`/api/v1/tenants/${owner.tenantId}/me/model-accounts`, {}, owner);
    expect(((await accounts.json()) as { accounts: { provider: string; hint: string }[] }).accounts).toEqual([
      expect.objectContaining({ provider: "anthropic", hint: "…5678" }),
    ]);
  });
});
