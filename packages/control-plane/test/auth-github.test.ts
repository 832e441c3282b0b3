/**
 * GitHub sign-in end to end against the OAuth double (testkit, started by globalSetup): the
 * authorize redirect with state and PKCE, the callback, the session cookie, the personal tenant,
 * and the ways a callback must be refused (state mismatch, no state cookie, replayed code).
 */
import { env, exports } from "cloudflare:workers";
import { type AuditEntry, MeResponse } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findGithubUserToken } from "../src/db/repositories/users";
import type { Bindings } from "../src/env";
import { loadKeyring } from "../src/secrets/keyring";
import { openUserToken } from "../src/secrets/user-token-vault";
import { readAuthConfig } from "../src/tenancy/auth-config";
import { GITHUB_USERS, TEST_GITHUB_OAUTH } from "./github-users";
import { api } from "./helpers";

const SITE = "http://nightshift.test";
const bindings = env as unknown as Bindings;

function cookiesOf(res: Response): Map<string, { value: string; attrs: string }> {
  const out = new Map<string, { value: string; attrs: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    out.set(pair.slice(0, eq).trim(), { value: pair.slice(eq + 1), attrs: attrs.join(";").trim() });
  }
  return out;
}

function worker(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${SITE}${path}`, { headers, redirect: "manual" }));
}

interface Started {
  authorize: URL;
  stateCookie: string;
}

async function startLogin(redirect = "/sessions/abc"): Promise<Started> {
  const res = await worker(`/auth/github/login?redirect=${encodeURIComponent(redirect)}`);
  expect(res.status).toBe(302);
  const state = cookiesOf(res).get("__Host-nightshift_oauth");
  expect(state?.attrs).toMatch(/HttpOnly/i);
  expect(state?.attrs).toMatch(/SameSite=Lax/i);
  expect(state?.attrs).toMatch(/Secure/i);
  return {
    authorize: new URL(res.headers.get("location") ?? ""),
    stateCookie: `__Host-nightshift_oauth=${state?.value}`,
  };
}

/** Plays the user at GitHub: follows the authorize URL at the double and returns the callback it sends back. */
async function approveAtGithub(authorize: URL, login: string): Promise<URL> {
  const url = new URL(authorize);
  url.searchParams.set("login", login);
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") ?? "");
}

async function signIn(login: string): Promise<{ callback: Response; cookie: string }> {
  const started = await startLogin();
  const back = await approveAtGithub(started.authorize, login);
  const callback = await worker(`${back.pathname}${back.search}`, { cookie: started.stateCookie });
  const session = cookiesOf(callback).get("__Host-nightshift_session");
  return { callback, cookie: `__Host-nightshift_session=${session?.value ?? ""}` };
}

describe("GitHub OAuth sign-in", () => {
  it("redirects to the configured GitHub with client id, state, PKCE and our callback", async () => {
    const { authorize } = await startLogin();
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `${bindings.GITHUB_WEB_URL}/login/oauth/authorize`,
    );
    expect(authorize.searchParams.get("client_id")).toBe(TEST_GITHUB_OAUTH.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${SITE}/auth/github/callback`);
    expect(authorize.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("signs in, sets a Secure HttpOnly SameSite=Lax session cookie and lands on the redirect", async () => {
    const { callback, cookie } = await signIn("octocat");
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/sessions/abc");
    const set = cookiesOf(callback);
    const session = set.get("__Host-nightshift_session");
    expect(session?.attrs).toMatch(/HttpOnly/i);
    expect(session?.attrs).toMatch(/Secure/i);
    expect(session?.attrs).toMatch(/SameSite=Lax/i);
    expect(session?.attrs).toMatch(/Path=\//i);
    // An hour, give or take the second that may tick between signing and writing the cookie.
    expect(session?.attrs).toMatch(/Max-Age=(3599|3600)\b/i);
    // The one-time state cookie is cleared.
    expect(set.get("__Host-nightshift_oauth")?.attrs).toMatch(/Max-Age=0/i);

    const me = MeResponse.parse(await (await api("/api/v1/me", {}, { cookie })).json());
    expect(me.user).toMatchObject({ login: "octocat", name: "The Octocat", email: "octocat@github.example" });
    expect(me.via).toBe("session");
    // First sign-in: a personal tenant, owned.
    expect(me.tenants).toEqual([expect.objectContaining({ slug: "octocat", role: "owner" })]);
    const tenantId = me.tenants[0]?.id ?? "";
    const audit = await api(`/api/v1/tenants/${tenantId}/audit`, {}, { cookie });
    const entries = (await audit.json()) as { entries: AuditEntry[] };
    expect(entries.entries.map((e) => e.action).sort()).toEqual(["auth.sign_in", "tenant.created"]);

    // Signing in again finds the same user and makes no second tenant.
    const again = await signIn("octocat");
    const me2 = MeResponse.parse(await (await api("/api/v1/me", {}, { cookie: again.cookie })).json());
    expect(me2.user.id).toBe(me.user.id);
    expect(me2.tenants.map((t) => t.id)).toEqual([tenantId]);
  });

  it("keeps the user's GitHub token only sealed, bound to the user, and forgets it at logout", async () => {
    const { cookie } = await signIn("octocat");
    const me = MeResponse.parse(await (await api("/api/v1/me", {}, { cookie })).json());
    const db = openDatabase(bindings.DB);
    const row = await findGithubUserToken(db, me.user.id, Date.now());
    if (!row) throw new Error("no GitHub token was kept for the signed-in user");
    // At most GitHub's 8 hours for App user tokens, less a minute of margin.
    expect(row.expiresAt - Date.now()).toBeLessThanOrEqual(8 * 3600_000 - 60_000);
    expect(row.expiresAt - Date.now()).toBeGreaterThan(7 * 3600_000);
    const ring = await loadKeyring(bindings.SECRETS_MASTER_KEYS);
    const token = await openUserToken(ring, row);
    expect(token.length).toBeGreaterThan(10);
    expect(JSON.stringify(row)).not.toContain(token);
    // Copied to another user, the row does not open.
    await expect(openUserToken(ring, { ...row, userId: "someone-else" })).rejects.toThrow(/did not open/);
    // Logout withdraws it.
    const logout = await exports.default.fetch(
      new Request(`${SITE}/auth/logout`, { method: "POST", headers: { cookie, origin: SITE } }),
    );
    expect(logout.status).toBe(204);
    expect(await findGithubUserToken(db, me.user.id, Date.now())).toBeNull();
  });

  it("asks /user/emails for a user whose address is private and takes the primary verified one", async () => {
    const { cookie } = await signIn("hubot");
    const me = MeResponse.parse(await (await api("/api/v1/me", {}, { cookie })).json());
    expect(me.user).toMatchObject({
      login: "hubot",
      name: "hubot",
      email: GITHUB_USERS.hubot.emails[1]?.email,
    });
  });

  it("rejects a callback whose state does not match the cookie, and sets no session", async () => {
    const started = await startLogin();
    const back = await approveAtGithub(started.authorize, "octocat");
    back.searchParams.set("state", "forged-state-forged-state-forged-state");
    const res = await worker(`${back.pathname}${back.search}`, { cookie: started.stateCookie });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /state does not match/,
    );
    expect(cookiesOf(res).has("__Host-nightshift_session")).toBe(false);
  });

  it("rejects a callback without the state cookie (started elsewhere, or forged)", async () => {
    const started = await startLogin();
    const back = await approveAtGithub(started.authorize, "octocat");
    const res = await worker(`${back.pathname}${back.search}`);
    expect(res.status).toBe(400);
    expect(cookiesOf(res).has("__Host-nightshift_session")).toBe(false);
  });

  it("rejects a state cookie signed with another key", async () => {
    const started = await startLogin();
    const back = await approveAtGithub(started.authorize, "octocat");
    const [name, token = ""] = started.stateCookie.split("=");
    const [h, p] = token.split(".");
    const res = await worker(`${back.pathname}${back.search}`, {
      cookie: `${name}=${h}.${p}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    });
    expect(res.status).toBe(400);
  });

  it("refuses a replayed authorization code (GitHub codes are single-use)", async () => {
    const started = await startLogin();
    const back = await approveAtGithub(started.authorize, "octocat");
    const first = await worker(`${back.pathname}${back.search}`, { cookie: started.stateCookie });
    expect(first.status).toBe(302);
    const replay = await worker(`${back.pathname}${back.search}`, { cookie: started.stateCookie });
    expect(replay.status).toBe(401);
    expect(cookiesOf(replay).has("__Host-nightshift_session")).toBe(false);
  });

  it("reports a denied authorization and an unsafe redirect target clearly", async () => {
    const denied = await worker("/auth/github/callback?error=access_denied&state=x");
    expect(denied.status).toBe(401);
    for (const target of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      const res = await worker(`/auth/github/login?redirect=${encodeURIComponent(target)}`);
      expect(res.status, target).toBe(400);
    }
  });

  it("derives the REST URL for GitHub.com and for GitHub Enterprise Server", () => {
    const base = { ...bindings, GITHUB_API_URL: undefined };
    expect(readAuthConfig({ ...base, GITHUB_WEB_URL: undefined }).github?.apiUrl).toBe(
      "https://api.github.com",
    );
    expect(readAuthConfig({ ...base, GITHUB_WEB_URL: "https://ghe.example.com/" }).github).toMatchObject({
      webUrl: "https://ghe.example.com",
      apiUrl: "https://ghe.example.com/api/v3",
    });
  });
});
