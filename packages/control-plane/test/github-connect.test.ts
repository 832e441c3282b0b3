/**
 * Connecting GitHub through the app in workerd: the tenant's connection view, the owner-only
 * install URL, the Setup URL's checks before the OAuth proof (state, signed-in user), a callback
 * GitHub refuses, and disconnecting an installation (with its audit entry).
 */
import { env, exports } from "cloudflare:workers";
import type { AuditEntry, GithubConnectionResponse } from "@nightshift/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findInstallationTenant, linkInstallation, replaceRepositories } from "../src/db/repositories/github";
import type { Bindings } from "../src/env";
import { GITHUB_APP } from "./github-app-fixture";
import { TEST_GITHUB_OAUTH } from "./github-users";
import { api, browserHeaders, createTenant, type Identity, joinTenant } from "./helpers";

const SITE = "http://nightshift.test";
const bindings = env as unknown as Bindings & { GITHUB_APP_WEB_URL: string };
const OAUTH_COOKIE = "__Host-nightshift_oauth";

function worker(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${SITE}${path}`, { headers, redirect: "manual" }));
}

function randomInstallationId(): number {
  return 800_000 + Math.floor(Math.random() * 99_999);
}

async function connection(as: Identity): Promise<GithubConnectionResponse> {
  const res = await api(`/api/v1/tenants/${as.tenantId}/github`, {}, as);
  expect(res.status).toBe(200);
  return (await res.json()) as GithubConnectionResponse;
}

function connect(as: Identity): Promise<Response> {
  return api(`/api/v1/tenants/${as.tenantId}/github/connect`, { method: "POST" }, as);
}

/** The signed state an owner's connect URL carries. */
async function installState(owner: Identity): Promise<string> {
  const res = await connect(owner);
  expect(res.status).toBe(200);
  const url = new URL(((await res.json()) as { url: string }).url);
  return url.searchParams.get("state") ?? "";
}

/** Where a settings redirect lands, with its outcome; fails unless it is one. */
function settingsOutcome(res: Response): { github: string | null; message: string } {
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get("location") ?? "", SITE);
  expect(to.pathname).toBe("/settings");
  return { github: to.searchParams.get("github"), message: to.searchParams.get("message") ?? "" };
}

function setup(installationId: number, state: string | null, headers: Record<string, string> = {}) {
  const q = new URLSearchParams({ installation_id: String(installationId), setup_action: "install" });
  if (state !== null) q.set("state", state);
  return worker(`/auth/github/setup?${q}`, headers);
}

function cookieValue(res: Response, name: string): { value: string; attrs: string } | null {
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).trim() === name) return { value: pair.slice(eq + 1), attrs: attrs.join(";") };
  }
  return null;
}

async function auditActions(owner: Identity): Promise<AuditEntry[]> {
  const res = await api(`/api/v1/tenants/${owner.tenantId}/audit?limit=50`, {}, owner);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: AuditEntry[] }).entries;
}

describe("the tenant's GitHub connection", () => {
  it("shows a configured App and no installations to a new tenant, members included", async () => {
    const owner = await createTenant("gh-view");
    const expected = {
      configured: true,
      appSlug: GITHUB_APP.slug,
      triggerLabel: "agent",
      appUrl: `${bindings.GITHUB_APP_WEB_URL}/apps/${GITHUB_APP.slug}`,
      installations: [],
    };
    expect(await connection(owner)).toEqual(expected);
    expect(await connection(await joinTenant(owner, "member"))).toEqual(expected);
  });

  it("gives an owner the App's install URL with a signed state, and refuses admins and members", async () => {
    const owner = await createTenant("gh-connect");
    const res = await connect(owner);
    expect(res.status).toBe(200);
    const url = new URL(((await res.json()) as { url: string }).url);
    expect(`${url.origin}${url.pathname}`).toBe(
      `${bindings.GITHUB_APP_WEB_URL}/apps/${GITHUB_APP.slug}/installations/new`,
    );
    expect(url.searchParams.get("state")).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    for (const role of ["admin", "member"] as const) {
      const other = await joinTenant(owner, role);
      expect((await connect(other)).status, role).toBe(403);
    }
  });
});

describe("the Setup URL", () => {
  it("sends an installation not started from Nightshift back to Settings", async () => {
    const out = settingsOutcome(await setup(randomInstallationId(), null));
    expect(out.github).toBe("error");
    expect(out.message).toMatch(/Settings/);
  });

  it("tells the user an organization owner must approve, when GitHub sent a request instead of an installation", async () => {
    const res = await worker("/auth/github/setup?setup_action=request&state=anything");
    const out = settingsOutcome(res);
    expect(out.github).toBe("error");
    expect(out.message).toMatch(/organization owner to approve/);
  });

  it("refuses a forged, foreign or expired state", async () => {
    const owner = await createTenant("gh-state");
    const browser = await browserHeaders(owner.userId);
    const claims = { tenantId: owner.tenantId, userId: owner.userId };
    const key = new TextEncoder().encode(bindings.SESSION_SECRET);
    const sign = (k: Uint8Array, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setAudience("nightshift-github-install")
        .setIssuedAt(exp - 3600)
        .setExpirationTime(exp)
        .sign(k);
    const nowS = Math.floor(Date.now() / 1000);
    const states = [
      "garbage",
      await sign(new TextEncoder().encode("another-secret-0123456789abcdef0123"), nowS + 600),
      await sign(key, nowS - 60),
    ];
    for (const state of states) {
      const res = await setup(randomInstallationId(), state, browser);
      const out = settingsOutcome(res);
      expect(out.github).toBe("error");
      expect(out.message).toMatch(/expired; start again from Settings/);
      expect(cookieValue(res, OAUTH_COOKIE)).toBeNull();
    }
    // The same claims signed with the real key and a future expiry get through, so the refusals above are the state's.
    const good = await setup(randomInstallationId(), await sign(key, nowS + 600), browser);
    expect(new URL(good.headers.get("location") ?? "", SITE).pathname).toBe("/login/oauth/authorize");
  });

  it("refuses a browser that is not signed in as the user who started connecting", async () => {
    const owner = await createTenant("gh-who");
    const state = await installState(owner);
    const someoneElse = await joinTenant(owner, "owner");
    for (const headers of [{}, await browserHeaders(someoneElse.userId)]) {
      const res = await setup(randomInstallationId(), state, headers);
      const out = settingsOutcome(res);
      expect(out.github).toBe("error");
      expect(out.message).toMatch(/sign in to Nightshift as the user who started connecting GitHub/);
      expect(cookieValue(res, OAUTH_COOKIE)).toBeNull();
    }
  });

  it("refuses a session cookie that was signed out", async () => {
    const owner = await createTenant("gh-signed-out");
    const state = await installState(owner);
    const browser = await browserHeaders(owner.userId);
    const logout = await exports.default.fetch(
      new Request(`${SITE}/auth/logout`, { method: "POST", headers: browser }),
    );
    expect(logout.status).toBe(204);
    const res = await setup(randomInstallationId(), state, { cookie: browser.cookie });
    expect(settingsOutcome(res).message).toMatch(/sign in to Nightshift as the user who started/);
    expect(cookieValue(res, OAUTH_COOKIE)).toBeNull();
  });

  it("sends the right user on to GitHub's OAuth page, then shows GitHub's refusal on Settings and links nothing", async () => {
    const owner = await createTenant("gh-oauth");
    const installationId = randomInstallationId();
    const res = await setup(installationId, await installState(owner), await browserHeaders(owner.userId));
    expect(res.status).toBe(302);
    const authorize = new URL(res.headers.get("location") ?? "");
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `${bindings.GITHUB_APP_WEB_URL}/login/oauth/authorize`,
    );
    expect(authorize.searchParams.get("client_id")).toBe(TEST_GITHUB_OAUTH.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${SITE}/auth/github/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const state = authorize.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[\w-]{32}$/);
    const cookie = cookieValue(res, OAUTH_COOKIE);
    expect(cookie?.attrs).toMatch(/HttpOnly/i);

    const q = new URLSearchParams({ code: "not-a-code-github-issued", state });
    const back = await worker(`/auth/github/callback?${q}`, { cookie: `${OAUTH_COOKIE}=${cookie?.value}` });
    const out = settingsOutcome(back);
    expect(out.github).toBe("error");
    expect(out.message).toMatch(/GitHub/);
    expect(await findInstallationTenant(openDatabase(env.DB), installationId)).toBeNull();
    expect((await connection(owner)).installations).toEqual([]);
    expect((await auditActions(owner)).map((e) => e.action)).not.toContain("github.connected");
  });
});

describe("disconnecting an installation", () => {
  async function linked(owner: Identity): Promise<number> {
    const db = openDatabase(env.DB);
    const id = randomInstallationId();
    expect(
      await linkInstallation(db, owner.tenantId, {
        id,
        accountLogin: "disc-org",
        linkedBy: owner.userId,
        now: Date.now(),
      }),
    ).toBe("linked");
    await replaceRepositories(db, owner.tenantId, id, [{ id: id + 1, owner: "disc-org", name: "repo" }]);
    return id;
  }

  const disconnect = (as: Identity, id: string | number) =>
    api(`/api/v1/tenants/${as.tenantId}/github/installations/${id}`, { method: "DELETE" }, as);

  it("unlinks it for an owner and records who did", async () => {
    const owner = await createTenant("gh-disc");
    const id = await linked(owner);
    expect((await connection(owner)).installations).toEqual([
      expect.objectContaining({
        id,
        account: "disc-org",
        repositories: [{ id: id + 1, owner: "disc-org", name: "repo" }],
      }),
    ]);
    const res = await disconnect(owner, id);
    expect(res.status).toBe(204);
    expect((await connection(owner)).installations).toEqual([]);
    expect(await findInstallationTenant(openDatabase(env.DB), id)).toBeNull();
    const entry = (await auditActions(owner)).find((e) => e.action === "github.disconnected");
    expect(entry).toMatchObject({
      target: { type: "github_installation", id: String(id) },
      actor: { type: "api_key" },
      detail: { userId: owner.userId },
    });
  });

  it("answers 404 for an unknown installation or another tenant's, and 400 for a non-numeric id", async () => {
    const owner = await createTenant("gh-disc-404");
    const other = await createTenant("gh-disc-other");
    const theirs = await linked(other);
    expect((await disconnect(owner, randomInstallationId())).status).toBe(404);
    expect((await disconnect(owner, theirs)).status).toBe(404);
    expect(await findInstallationTenant(openDatabase(env.DB), theirs)).toBe(other.tenantId);
    for (const bad of ["abc", "0", "-5", "1.5"]) expect((await disconnect(owner, bad)).status, bad).toBe(400);
    expect((await auditActions(owner)).map((e) => e.action)).not.toContain("github.disconnected");
  });

  it("is for owners only", async () => {
    const owner = await createTenant("gh-disc-role");
    const id = await linked(owner);
    for (const role of ["admin", "member"] as const)
      expect((await disconnect(await joinTenant(owner, role), id)).status, role).toBe(403);
    expect(await findInstallationTenant(openDatabase(env.DB), id)).toBe(owner.tenantId);
  });
});
