/**
 * The model-accounts API: a user's own accounts (write-only, masked, own only, per tenant), the
 * tenant's (members list, admins write, API keys only), words for bad input, audit entries, no
 * way in from another tenant, and no value in any response, audit entry, log line, stored row or
 * session event. Real Worker and D1, the scripted model as the gateway's upstream.
 */
import { env } from "cloudflare:workers";
import type {
  ListAuditResponse,
  ListModelAccountsResponse,
  ListTenantModelAccountsResponse,
  Session,
} from "@nightshift/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { anthropicBody, anthropicCall, modelRequestsMarked } from "./gateway-client";
import { api, createTenant, type Identity, joinTenant, postJson, waitFor } from "./helpers";
import { identityFor } from "./identities";
import { useIncarnation } from "./sandbox-client";

const MY_KEY = "sk-ant-api03-my-very-own-secret-key-7f3a";
const TENANT_KEY = "sk-ant-api03-the-tenant-wide-secret-9c1d";

afterEach(() => vi.restoreAllMocks());

function send(method: "PUT" | "DELETE", path: string, who: Identity, body?: unknown) {
  return api(
    path,
    {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    },
    who,
  );
}

const mine = (who: Identity, provider = "") =>
  `/api/v1/tenants/${who.tenantId}/me/model-accounts${provider ? `/${provider}` : ""}`;
const tenants = (who: Identity, provider = "") =>
  `/api/v1/tenants/${who.tenantId}/settings/model-accounts${provider ? `/${provider}` : ""}`;

describe("your model accounts", () => {
  it("are write-only: the list shows provider, kind, the last four characters and times, and a PUT replaces", async () => {
    const owner = await createTenant("acct-api-own");
    const first = await send("PUT", mine(owner, "anthropic"), owner, { value: MY_KEY });
    expect(first.status).toBe(201);
    const created = await first.json();
    expect(created).toEqual({
      provider: "anthropic",
      kind: "api_key",
      hint: "…7f3a",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const again = await send("PUT", mine(owner, "anthropic"), owner, {
      kind: "subscription_token",
      value: "sk-ant-oat01-replacement-token-of-mine-0b2e",
    });
    expect(again.status).toBe(200);

    const list = (await (await api(mine(owner), {}, owner)).json()) as ListModelAccountsResponse;
    expect(list.accounts).toEqual([
      expect.objectContaining({ provider: "anthropic", kind: "subscription_token", hint: "…0b2e" }),
    ]);
    // The same list at /api/v1/me/... with the tenant from the header.
    const viaMe = await api(
      "/api/v1/me/model-accounts",
      { headers: { "x-nightshift-tenant": owner.tenantId } },
      owner,
    );
    expect(await viaMe.json()).toEqual(list);

    expect((await send("DELETE", mine(owner, "anthropic"), owner)).status).toBe(204);
    const gone = await send("DELETE", mine(owner, "anthropic"), owner);
    expect(gone.status).toBe(404);
    expect(
      ((await (await api(mine(owner), {}, owner)).json()) as ListModelAccountsResponse).accounts,
    ).toEqual([]);
  });

  it("bad input gets a 400 in words that never quote the value", async () => {
    const owner = await createTenant("acct-api-bad");
    const cases: [string, unknown, RegExp][] = [
      ["mistral", { value: MY_KEY }, /no model provider 'mistral': use anthropic, openai, gemini/],
      ["anthropic", { value: "" }, /value: must be at least 8 characters/],
      ["anthropic", { value: "sk-ant with space-0000" }, /without spaces or line breaks/],
      ["anthropic", { value: MY_KEY, extra: 1 }, /invalid body/],
      ["anthropic", { kind: "password", value: MY_KEY }, /kind/],
      [
        "openai",
        { kind: "subscription_token", value: "sk-ant-oat01-abcdefgh-1234" },
        /only accepted for anthropic/,
      ],
      ["anthropic", { kind: "subscription_token", value: MY_KEY }, /starts with sk-ant-oat/],
      ["anthropic", { value: "sk-ant-oat01-abcdefgh-1234" }, /store it with kind subscription_token/],
    ];
    for (const [provider, body, words] of cases) {
      const res = await send("PUT", mine(owner, provider), owner, body);
      const text = await res.text();
      expect(res.status, `${provider} ${JSON.stringify(body)}`).toBe(400);
      expect(text).toMatch(words);
      expect(text).not.toContain(MY_KEY);
      expect(text).not.toContain("sk-ant-oat01-abcdefgh-1234");
    }
    const notJson = await api(mine(owner, "anthropic"), { method: "PUT", body: "x" }, owner);
    expect(notJson.status).toBe(415);
    expect(
      ((await (await api(mine(owner), {}, owner)).json()) as ListModelAccountsResponse).accounts,
    ).toEqual([]);
  });

  it("are each member's own: another member sees only theirs and cannot delete mine", async () => {
    const owner = await createTenant("acct-api-members");
    const member = await joinTenant(owner, "member");
    expect(
      (await send("PUT", mine(member, "openai"), member, { value: "sk-proj-member-openai-key-aaaa" })).status,
    ).toBe(201);
    expect(
      ((await (await api(mine(owner), {}, owner)).json()) as ListModelAccountsResponse).accounts,
    ).toEqual([]);
    // The owner's DELETE names their own (absent) account, never the member's.
    expect((await send("DELETE", mine(owner, "openai"), owner)).status).toBe(404);
    const stillThere = (await (await api(mine(member), {}, member)).json()) as ListModelAccountsResponse;
    expect(stillThere.accounts.map((a) => a.provider)).toEqual(["openai"]);
  });

  it("leave with a member who is removed: re-added, they start without them", async () => {
    const owner = await createTenant("acct-api-removed");
    const member = await joinTenant(owner, "member");
    expect(
      (await send("PUT", mine(member, "gemini"), member, { value: "AIza-member-gemini-key-0008" })).status,
    ).toBe(201);
    const removed = await send("DELETE", `/api/v1/tenants/${owner.tenantId}/members/${member.userId}`, owner);
    expect(removed.status).toBe(204);
    const rejoined = await api(
      `/api/v1/tenants/${owner.tenantId}/members`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ login: member.login, role: "member" }),
      },
      owner,
    );
    expect(rejoined.status, await rejoined.clone().text()).toBe(201);
    const again = await identityFor(
      { id: owner.tenantId, slug: owner.slug },
      { id: member.userId, login: member.login, name: member.login },
      "member",
    );
    expect(
      ((await (await api(mine(again), {}, again)).json()) as ListModelAccountsResponse).accounts,
    ).toEqual([]);
  });

  it("another tenant cannot list, delete or use them: 404, and the upstream never sees the key", async () => {
    const victim = await createTenant("acct-api-victim");
    const attacker = await createTenant("acct-api-attacker");
    expect((await send("PUT", mine(victim, "anthropic"), victim, { value: MY_KEY })).status).toBe(201);
    expect((await send("PUT", tenants(victim, "anthropic"), victim, { value: TENANT_KEY })).status).toBe(201);

    expect((await api(mine(victim), {}, attacker)).status).toBe(404);
    expect((await api(tenants(victim), {}, attacker)).status).toBe(404);
    expect((await send("DELETE", mine(victim, "anthropic"), attacker)).status).toBe(404);
    expect((await send("DELETE", tenants(victim, "anthropic"), attacker)).status).toBe(404);
    expect(
      (
        await api(
          "/api/v1/me/model-accounts",
          { headers: { "x-nightshift-tenant": victim.tenantId } },
          attacker,
        )
      ).status,
    ).toBe(404);

    // The attacker's own session calls the model with the deployment's key, never the victim's.
    const res = await postJson(
      "/api/v1/sessions",
      { repo: { kind: "local", path: "demo" }, prompt: "x" },
      {},
      attacker,
    );
    const session = (await res.json()) as Session;
    const token = await useIncarnation(session, `inc-attacker-${session.id}`);
    const marker = `acct-foreign-${crypto.randomUUID()}`;
    await (await anthropicCall(token, anthropicBody(marker, false))).text();
    const [seen] = await modelRequestsMarked(marker);
    expect(seen?.headers["x-api-key"]).toBe("test-deployment-anthropic-key");
    expect(JSON.stringify(seen)).not.toContain(MY_KEY);
    expect(JSON.stringify(seen)).not.toContain(TENANT_KEY);
    // Still intact for their owner.
    expect(
      ((await (await api(mine(victim), {}, victim)).json()) as ListModelAccountsResponse).accounts,
    ).toHaveLength(1);
  });
});

describe("tenant model accounts", () => {
  it("members list them without values; only admins set and delete; API keys only; every write audited", async () => {
    const owner = await createTenant("acct-api-tenant");
    const member = await joinTenant(owner, "member");
    expect((await send("PUT", tenants(owner, "anthropic"), member, { value: TENANT_KEY })).status).toBe(403);
    expect((await send("PUT", tenants(owner, "anthropic"), owner, { value: TENANT_KEY })).status).toBe(201);
    const repoPut = await send("PUT", `${tenants(owner, "openai")}?repo=local:demo`, owner, {
      value: "sk-proj-repo-demo-openai-key-5e5e",
      adminOnly: true,
    });
    expect(repoPut.status).toBe(201);
    const subscription = await send("PUT", tenants(owner, "anthropic"), owner, {
      kind: "subscription_token",
      value: "sk-ant-oat01-personal-subscription-0000",
    });
    expect(subscription.status).toBe(400);
    expect(await subscription.text()).toMatch(/subscriptions are personal/);

    const listed = (await (await api(tenants(owner), {}, member)).json()) as ListTenantModelAccountsResponse;
    expect(listed.accounts).toEqual([
      expect.objectContaining({
        provider: "anthropic",
        kind: "api_key",
        hint: "…9c1d",
        scope: "tenant",
        repo: null,
      }),
      expect.objectContaining({
        provider: "openai",
        scope: "repo",
        repo: "local:demo",
        adminOnly: true,
        hint: "…5e5e",
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(TENANT_KEY);

    expect((await send("DELETE", tenants(owner, "anthropic"), member)).status).toBe(403);
    expect((await send("DELETE", tenants(owner, "anthropic"), owner)).status).toBe(204);
    expect((await send("DELETE", tenants(owner, "anthropic"), owner)).status).toBe(404);

    const audit = (await (
      await api(`/api/v1/tenants/${owner.tenantId}/audit?limit=200`, {}, owner)
    ).json()) as ListAuditResponse;
    const accountEntries = audit.entries.filter((e) => e.action.startsWith("model_account."));
    expect(accountEntries.map((e) => [e.action, e.detail.provider, e.detail.owner])).toEqual([
      ["model_account.deleted", "anthropic", "tenant"],
      ["model_account.set", "openai", "tenant"],
      ["model_account.set", "anthropic", "tenant"],
    ]);
  });
});

describe("model account values stay secret", () => {
  it("appear in no response body, audit entry, log line, stored row or session event", async () => {
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      });
    }
    const owner = await createTenant("acct-api-leaks");
    const bodies: string[] = [];
    const call = async (res: Promise<Response>) => {
      const r = await res;
      bodies.push(await r.text());
      return r;
    };
    await call(send("PUT", mine(owner, "anthropic"), owner, { value: MY_KEY }));
    await call(send("PUT", tenants(owner, "anthropic"), owner, { value: TENANT_KEY }));
    await call(send("PUT", mine(owner, "openai"), owner, { kind: "subscription_token", value: MY_KEY }));
    const created = await call(
      postJson("/api/v1/sessions", { repo: { kind: "local", path: "demo" }, prompt: "x" }, {}, owner),
    );
    const session = JSON.parse(bodies.at(-1) ?? "{}") as Session;
    expect(created.status).toBe(201);
    const token = await useIncarnation(session, `inc-leaks-${session.id}`);
    await call(anthropicCall(token, anthropicBody(`acct-leaks-${crypto.randomUUID()}`)));
    await waitFor("the call's usage", async () => {
      const usage = await call(api(`/api/v1/sessions/${session.id}/usage`, {}, owner));
      return usage.status === 200 && bodies.at(-1)?.includes('"calls":1') ? true : undefined;
    });
    expect(bodies.at(-1)).toContain('"paidBy":["user"]');
    await call(api(`/api/v1/sessions/${session.id}/events`, {}, owner));
    await call(api(`/api/v1/sessions/${session.id}`, {}, owner));
    await call(api(mine(owner), {}, owner));
    await call(api(tenants(owner), {}, owner));
    await call(api(`/api/v1/tenants/${owner.tenantId}/audit?limit=200`, {}, owner));
    await call(api(`/api/v1/tenants/${owner.tenantId}/secrets`, {}, owner));
    await call(send("DELETE", mine(owner, "anthropic"), owner));

    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
    ).all<{ name: string }>();
    const stored: string[] = [];
    for (const { name } of tables.results) {
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      stored.push(JSON.stringify(rows.results));
    }
    expect(stored.join("")).toContain("acct-api-leaks");
    for (const [where, text] of [
      ["response bodies", bodies.join("\n")],
      ["log lines", logged.join("\n")],
      ["stored rows", stored.join("\n")],
    ] as const) {
      expect(text, where).not.toContain(MY_KEY);
      expect(text, where).not.toContain(TENANT_KEY);
    }
  });
});
