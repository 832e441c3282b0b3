/**
 * Which model account the gateway calls upstream with: the session creator's own account over the
 * tenant's (repository, then tenant-wide) over the deployment's; never another member's, never
 * across tenants; a Claude subscription token as Bearer with the OAuth beta flag; a deleted account
 * stops being used at once; and which account paid shows in the session's usage. Real Worker, DO
 * and D1 (accounts sealed through the API), the scripted model as the upstream double.
 */
import { env } from "cloudflare:workers";
import type { Session, SessionModelUsage } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { addMember, removeMember } from "../src/db/repositories/tenancy";
import type { Actor, Bindings } from "../src/env";
import { putMyAccount as putMyAccountDirect } from "../src/model-accounts/user-accounts";
import { chooseUpstream, forgetCachedModelKeys, type GatewayEnv } from "../src/model-gateway/credentials";
import type { SandboxCaller } from "../src/sandbox-auth/sandbox-caller";
import { anthropicBody, anthropicCall, callGateway, modelRequestsMarked } from "./gateway-client";
import { api, createTenant, type Identity, joinTenant, postJson, waitFor } from "./helpers";
import { identityFor } from "./identities";
import { useIncarnation } from "./sandbox-client";

const REPO = { kind: "local", path: "demo" } as const;
const SUBSCRIPTION_TOKEN = "sk-ant-oat01-subscription-token-of-the-member-0001";

function putJson(path: string, body: unknown, who: Identity) {
  return api(
    path,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    who,
  );
}

async function putMyAccount(who: Identity, provider: string, value: string, kind = "api_key") {
  const res = await putJson(
    `/api/v1/tenants/${who.tenantId}/me/model-accounts/${provider}`,
    { kind, value },
    who,
  );
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res;
}

async function putTenantKey(admin: Identity, value: string, repo?: string) {
  const query = repo ? `?repo=${encodeURIComponent(repo)}` : "";
  const path = `/api/v1/tenants/${admin.tenantId}/settings/model-accounts/anthropic${query}`;
  const res = await putJson(path, { value }, admin);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

async function sessionOf(who: Identity): Promise<{ session: Session; token: string }> {
  const res = await postJson("/api/v1/sessions", { repo: REPO, prompt: "Add a README" }, {}, who);
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as Session;
  return { session, token: await useIncarnation(session, `inc-acct-${session.id}`) };
}

/** The headers the scripted model saw for one marked Anthropic call through the gateway. */
async function headersSeenUpstream(token: string, extra: Record<string, string> = {}) {
  const marker = `acct-${crypto.randomUUID()}`;
  const res = await anthropicCall(token, anthropicBody(marker, false), extra);
  expect(res.status).toBe(200);
  await res.text();
  const [seen] = await modelRequestsMarked(marker);
  if (!seen) throw new Error("the call never reached the model");
  return seen.headers;
}

const NO_SETTINGS = { model: { baseUrls: {} }, budget: {} };
const gatewayEnv = () => env as unknown as GatewayEnv;

const actorOf = (who: Identity): Actor => ({
  tenantId: who.tenantId,
  userId: who.userId,
  role: who.role,
  name: who.login,
  login: who.login,
});

/** What the gateway knows of a sandbox's caller, for asking it directly which upstream it would use. */
function callerOf(creator: Identity, agent: string): SandboxCaller {
  return {
    tenantId: creator.tenantId,
    sessionId: "s-direct",
    userId: creator.userId,
    repo: REPO,
    branch: "nightshift/x",
    agent,
    model: null,
    allowForcePush: false,
    incarnationHash: "h",
  };
}

function paidBy(session: Session, who: Identity, calls: number) {
  return waitFor(`${calls} recorded calls`, async () => {
    const res = await api(`/api/v1/sessions/${session.id}/usage`, {}, who);
    const usage = (await res.json()) as SessionModelUsage;
    return usage.calls >= calls ? usage.paidBy : undefined;
  });
}

describe("model accounts in the gateway: precedence", () => {
  it("the session creator's own account wins over the tenant's repository and tenant-wide keys", async () => {
    const owner = await createTenant("acct-precedence");
    const member = await joinTenant(owner, "member");
    await putTenantKey(owner, "tenant-wide-anthropic-key-0001");
    await putTenantKey(owner, "repo-demo-anthropic-key-0001", "local:demo");
    await putMyAccount(member, "anthropic", "member-own-anthropic-key-0001");

    const mine = await sessionOf(member);
    expect((await headersSeenUpstream(mine.token))["x-api-key"]).toBe("member-own-anthropic-key-0001");
    expect(await paidBy(mine.session, member, 1)).toEqual(["user"]);

    // The owner has no account of their own: the repository's key, paid by the tenant.
    const owners = await sessionOf(owner);
    expect((await headersSeenUpstream(owners.token))["x-api-key"]).toBe("repo-demo-anthropic-key-0001");
    expect(await paidBy(owners.session, owner, 1)).toEqual(["tenant"]);
  });

  it("another member's session never uses my account (it gets the tenant's key)", async () => {
    const owner = await createTenant("acct-other-member");
    const me = await joinTenant(owner, "member");
    const other = await joinTenant(owner, "member");
    await putTenantKey(owner, "tenant-wide-anthropic-key-0002");
    await putMyAccount(me, "anthropic", "my-own-anthropic-key-0002");

    const theirs = await sessionOf(other);
    const seen = await headersSeenUpstream(theirs.token);
    expect(seen["x-api-key"]).toBe("tenant-wide-anthropic-key-0002");
    expect(JSON.stringify(seen)).not.toContain("my-own-anthropic-key-0002");
  });

  it("my account in one tenant is not used for my sessions in another tenant", async () => {
    const home = await createTenant("acct-home");
    await putMyAccount(home, "anthropic", "home-tenant-anthropic-key-0003");
    // The same user, a member of a second tenant that has no key of its own.
    const away = await createTenant("acct-away");
    await addMember(openDatabase(env.DB), away.tenantId, home.userId, "member", new Date().toISOString());
    const meAway = await identityFor(
      { id: away.tenantId, slug: away.slug },
      { id: home.userId, login: home.login, name: home.login },
      "member",
    );

    const session = await sessionOf(meAway);
    const seen = await headersSeenUpstream(session.token);
    expect(seen["x-api-key"]).toBe("test-deployment-anthropic-key");
    expect(await paidBy(session.session, meAway, 1)).toEqual(["deployment"]);
  });

  it("each provider gets the user's key its own way", async () => {
    const owner = await createTenant("acct-providers");
    await putMyAccount(owner, "openai", "user-openai-key-00000004");
    await putMyAccount(owner, "gemini", "user-gemini-key-00000004");
    const { token } = await sessionOf(owner);
    const marker = `acct-providers-${crypto.randomUUID()}`;
    const chat = { model: "gpt-5", messages: [{ role: "user", content: `${marker}-o` }] };
    const post = (body: unknown, headers: Record<string, string>) => ({
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    await (
      await callGateway("/openai/v1/chat/completions", post(chat, { authorization: `Bearer ${token}` }))
    ).text();
    const gem = { contents: [{ role: "user", parts: [{ text: `${marker}-g` }] }] };
    await (
      await callGateway(
        "/gemini/v1beta/models/gemini-2.5-pro:generateContent",
        post(gem, { "x-goog-api-key": token }),
      )
    ).text();
    const [o] = await modelRequestsMarked(`${marker}-o`);
    const [g] = await modelRequestsMarked(`${marker}-g`);
    expect(o?.headers.authorization).toBe("Bearer user-openai-key-00000004");
    expect(g?.headers["x-goog-api-key"]).toBe("user-gemini-key-00000004");
  });
});

describe("model accounts in the gateway: subscription tokens and changes", () => {
  it("a Claude subscription token goes out as Bearer with the OAuth beta flag beside the client's flags, never as x-api-key", async () => {
    const owner = await createTenant("acct-subscription");
    await putMyAccount(owner, "anthropic", SUBSCRIPTION_TOKEN, "subscription_token");
    const { session, token } = await sessionOf(owner);
    const seen = await headersSeenUpstream(token, { "anthropic-beta": "claude-code-20250219" });
    expect(seen.authorization).toBe(`Bearer ${SUBSCRIPTION_TOKEN}`);
    expect(seen["x-api-key"]).toBeUndefined();
    expect(seen["anthropic-beta"]).toBe("claude-code-20250219,oauth-2025-04-20");
    expect(await paidBy(session, owner, 1)).toEqual(["user"]);
  });

  it("a subscription token is used only for Claude Code sessions; another agent's falls back", async () => {
    const owner = await createTenant("acct-subscription-agent");
    await putMyAccount(owner, "anthropic", SUBSCRIPTION_TOKEN, "subscription_token");
    const caller = callerOf(owner, "opencode");
    const other = await chooseUpstream(gatewayEnv(), caller, "anthropic", NO_SETTINGS);
    expect(other).toMatchObject({ key: "test-deployment-anthropic-key", keySource: "deployment" });
    const claude = await chooseUpstream(
      gatewayEnv(),
      { ...caller, agent: "claude-code" },
      "anthropic",
      NO_SETTINGS,
    );
    expect(claude).toMatchObject({
      key: SUBSCRIPTION_TOKEN,
      keyKind: "subscription_token",
      keySource: "user",
    });
  });

  it("a deployment that does not allow subscription tokens neither stores nor uses one", async () => {
    const owner = await createTenant("acct-subscription-off");
    await putMyAccount(owner, "anthropic", SUBSCRIPTION_TOKEN, "subscription_token");
    const off = { ...gatewayEnv(), ALLOW_SUBSCRIPTION_TOKENS: undefined };
    forgetCachedModelKeys();
    const upstream = await chooseUpstream(off, callerOf(owner, "claude-code"), "anthropic", NO_SETTINGS);
    expect(upstream).toMatchObject({ key: "test-deployment-anthropic-key", keySource: "deployment" });
    forgetCachedModelKeys();
    const refused = putMyAccountDirect(
      { ...(env as unknown as Bindings), ALLOW_SUBSCRIPTION_TOKENS: undefined },
      actorOf(owner),
      "anthropic",
      { kind: "subscription_token", value: SUBSCRIPTION_TOKEN },
    );
    await expect(refused).rejects.toThrow(/does not accept Claude subscription tokens/);
  });

  it("a creator who left the tenant no longer pays with their account (their session falls back)", async () => {
    const owner = await createTenant("acct-left");
    const member = await joinTenant(owner, "member");
    await putMyAccount(member, "anthropic", "departed-member-anthropic-key-0006");
    const caller = callerOf(member, "claude-code");
    expect(await chooseUpstream(gatewayEnv(), caller, "anthropic", NO_SETTINGS)).toMatchObject({
      keySource: "user",
    });
    expect(await removeMember(openDatabase(env.DB), owner.tenantId, member.userId)).toBe("removed");
    forgetCachedModelKeys();
    expect(await chooseUpstream(gatewayEnv(), caller, "anthropic", NO_SETTINGS)).toMatchObject({
      key: "test-deployment-anthropic-key",
      keySource: "deployment",
    });
  });

  it("deleting my account falls back to the tenant's key on the very next call (no stale cache)", async () => {
    const owner = await createTenant("acct-delete");
    await putTenantKey(owner, "tenant-wide-anthropic-key-0005");
    await putMyAccount(owner, "anthropic", "my-own-anthropic-key-0005");
    const { token } = await sessionOf(owner);
    expect((await headersSeenUpstream(token))["x-api-key"]).toBe("my-own-anthropic-key-0005");

    const del = await api(
      `/api/v1/tenants/${owner.tenantId}/me/model-accounts/anthropic`,
      { method: "DELETE" },
      owner,
    );
    expect(del.status).toBe(204);
    expect((await headersSeenUpstream(token))["x-api-key"]).toBe("tenant-wide-anthropic-key-0005");

    // Replacing it takes effect at once too.
    await putMyAccount(owner, "anthropic", "my-new-anthropic-key-0005");
    expect((await headersSeenUpstream(token))["x-api-key"]).toBe("my-new-anthropic-key-0005");
  });
});
