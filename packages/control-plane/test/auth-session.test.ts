/**
 * The session cookie and what guards it: the dev login (only when enabled, only in local mode,
 * only from loopback), forged / expired / revoked cookies, transparent refresh, logout, and the
 * Origin check on cookie-authenticated writes (CSRF).
 */
import { env, exports } from "cloudflare:workers";
import { MeResponse } from "@nightshift/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { openDatabase } from "../src/db/client";
import { insertAuthSession } from "../src/db/repositories/users";
import type { Bindings } from "../src/env";
import { signSessionToken } from "../src/tenancy/session-cookie";
import { api, browserHeaders, createTenant, postJson } from "./helpers";

const bindings = env as unknown as Bindings;
const LOCAL = "http://localhost:8787";
const sessionKey = () => new TextEncoder().encode(bindings.SESSION_SECRET);
const nowS = () => Math.floor(Date.now() / 1000);

function devLogin(headers: Record<string, string>, base = LOCAL, body?: unknown): Promise<Response> {
  return exports.default.fetch(
    new Request(`${base}/auth/dev-login`, {
      method: "POST",
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** A cookie for a fresh sign-in row, with the token's iat and the row's end under the test's control. */
async function cookieFor(userId: string, opts: { iat?: number; rowEndsInS?: number } = {}): Promise<string> {
  const sid = `s-${crypto.randomUUID()}`;
  const now = new Date();
  await insertAuthSession(openDatabase(bindings.DB), {
    id: sid,
    userId,
    method: "dev",
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (opts.rowEndsInS ?? 3600) * 1000).toISOString(),
  });
  const { token } = await signSessionToken(sessionKey(), { userId, sid }, opts.iat ?? nowS());
  return `__Host-nightshift_session=${token}`;
}

const origin = { origin: "http://nightshift.test" };

describe("dev login", () => {
  it("signs in the local owner from loopback with a non-Secure cookie on http://localhost", async () => {
    const res = await devLogin({ "cf-connecting-ip": "127.0.0.1", origin: LOCAL });
    expect(res.status).toBe(200);
    const line = res.headers.getSetCookie().find((l) => l.startsWith("nightshift_session="));
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).not.toMatch(/Secure/i);
    const cookie = line?.split(";")[0] ?? "";
    const me = await exports.default.fetch(new Request(`${LOCAL}/api/v1/me`, { headers: { cookie } }));
    const body = MeResponse.parse(await me.json());
    expect(body.user.login).toBe("local");
    expect(body.tenants).toEqual([expect.objectContaining({ id: "local", role: "owner" })]);
  });

  it("adds a named dev user to the local tenant as a member", async () => {
    const res = await devLogin(
      { "cf-connecting-ip": "::1", origin: "http://127.0.0.1:8787" },
      "http://127.0.0.1:8787",
      { login: "alice" },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { login: string } }).user.login).toBe("dev-alice");
  });

  it("refuses requests that are not from loopback, or from a page on another origin", async () => {
    expect((await devLogin({})).status).toBe(403);
    expect((await devLogin({ "cf-connecting-ip": "203.0.113.9" })).status).toBe(403);
    expect((await devLogin({ "cf-connecting-ip": "127.0.0.1" }, "http://nightshift.test")).status).toBe(403);
    expect((await devLogin({ "cf-connecting-ip": "127.0.0.1", origin: "http://evil.example" })).status).toBe(
      403,
    );
  });

  it("a local process without an Origin header cannot take the dev login (missing Origin → 403)", async () => {
    const res = await devLogin({ "cf-connecting-ip": "127.0.0.1" }, LOCAL, {});
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Origin/);
  });

  it("does not exist unless enabled, and never outside local mode", async () => {
    const app = createApp();
    const call = (vars: Partial<Bindings>) =>
      app.request(
        `${LOCAL}/auth/dev-login`,
        { method: "POST", headers: { "cf-connecting-ip": "127.0.0.1", origin: LOCAL } },
        {
          ...bindings,
          ...vars,
        },
      );
    expect((await call({ NIGHTSHIFT_DEV_LOGIN: "0" })).status).toBe(404);
    expect((await call({ NIGHTSHIFT_DEV_LOGIN: undefined })).status).toBe(404);
    expect((await call({ NIGHTSHIFT_MODE: "cloud", NIGHTSHIFT_DEV_LOGIN: "1" })).status).toBe(404);
    expect((await call({})).status).toBe(200);
  });
});

describe("session cookie", () => {
  it("is refused when missing, malformed, forged, expired, or its sign-in has ended", async () => {
    const { userId } = await createTenant("cookie");
    const good = await cookieFor(userId);
    expect((await api("/api/v1/me", {}, { cookie: good })).status).toBe(200);

    const forged = await new SignJWT({ sid: "x" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuer("nightshift")
      .setAudience("nightshift-session")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("another-secret-another-secret-another"));
    const token = good.split("=")[1] ?? "";
    const [h, , s] = token.split(".");
    const otherUser = btoa(JSON.stringify({ sub: "someone-else", sid: "x", iat: nowS(), exp: nowS() + 60 }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const cases: [string, Record<string, string> | null][] = [
      ["no credentials", null],
      ["garbage", { cookie: "__Host-nightshift_session=not-a-jwt" }],
      ["signed with another key", { cookie: `__Host-nightshift_session=${forged}` }],
      ["payload swapped", { cookie: `__Host-nightshift_session=${h}.${otherUser}.${s}` }],
      ["expired", { cookie: await cookieFor(userId, { iat: nowS() - 7200 }) }],
      ["sign-in ended", { cookie: await cookieFor(userId, { rowEndsInS: -1 }) }],
    ];
    for (const [what, caller] of cases) {
      const res = await api("/api/v1/me", {}, caller);
      expect(res.status, what).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code, what).toBe("unauthorized");
    }
  });

  it("is re-issued once half its life is used, and not before", async () => {
    const { userId } = await createTenant("refresh");
    const fresh = await api("/api/v1/me", {}, { cookie: await cookieFor(userId) });
    expect(fresh.headers.getSetCookie()).toEqual([]);
    const aging = await api("/api/v1/me", {}, { cookie: await cookieFor(userId, { iat: nowS() - 40 * 60 }) });
    expect(aging.status).toBe(200);
    const renewed = aging.headers.getSetCookie().find((l) => l.startsWith("__Host-nightshift_session="));
    // A fresh hour, give or take the second that may tick between signing and writing the cookie.
    const maxAge = Number(/Max-Age=(\d+)/.exec(renewed ?? "")?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(3599);
    expect(maxAge).toBeLessThanOrEqual(3600);
    const again = await api("/api/v1/me", {}, { cookie: renewed?.split(";")[0] ?? "" });
    expect(again.status).toBe(200);
  });

  it("stops working after logout, and logout clears it", async () => {
    const { userId } = await createTenant("logout");
    const cookie = await cookieFor(userId);
    const out = await api("/auth/logout", { method: "POST" }, { cookie, ...origin });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/__Host-nightshift_session=;.*Max-Age=0/i);
    expect((await api("/api/v1/me", {}, { cookie })).status).toBe(401);
  });
});

describe("CSRF: cookie-authenticated writes need this site's Origin", () => {
  const body = { repo: { kind: "local", path: "demo" }, prompt: "csrf" };

  it("refuses a write with no Origin or a foreign one, allows same-origin, and lets reads through", async () => {
    const tenant = await createTenant("csrf");
    const { cookie } = await browserHeaders(tenant.userId);
    const path = `/api/v1/tenants/${tenant.tenantId}/sessions`;
    const missing = await postJson(path, body, {}, { cookie });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/cross-site/);
    expect((await postJson(path, body, {}, { cookie, origin: "http://evil.example" })).status).toBe(403);
    expect((await postJson(path, body, {}, { cookie, ...origin })).status).toBe(201);
    expect((await api(path, {}, { cookie })).status).toBe(200);
    // API keys are not sent by browsers on their own, so they need no Origin.
    expect((await postJson(path, body, {}, tenant)).status).toBe(201);
  });

  it("refuses a cross-site WebSocket upgrade riding on the cookie", async () => {
    const tenant = await createTenant("csws");
    const created = await postJson(`/api/v1/tenants/${tenant.tenantId}/sessions`, body, {}, tenant);
    const { id } = (await created.json()) as { id: string };
    const { cookie } = await browserHeaders(tenant.userId);
    const res = await api(
      `/api/v1/tenants/${tenant.tenantId}/sessions/${id}/stream`,
      { headers: { upgrade: "websocket" } },
      { cookie, origin: "http://evil.example" },
    );
    expect(res.status).toBe(403);
  });

  it("accepts an origin listed in ALLOWED_ORIGINS (a dashboard dev server)", async () => {
    const tenant = await createTenant("allowed");
    const { cookie } = await browserHeaders(tenant.userId);
    const res = await createApp().request(
      `http://nightshift.test/api/v1/tenants/${tenant.tenantId}/sessions`,
      {
        method: "POST",
        headers: { cookie, origin: "http://localhost:5173", "content-type": "application/json" },
        body: JSON.stringify(body),
      },
      { ...bindings, ALLOWED_ORIGINS: "http://localhost:5173" },
    );
    expect(res.status).toBe(201);
  });
});
