/**
 * `nightshift login` by browser (RFC 8628) against the real Worker and D1: start, each polling
 * answer (authorization_pending, slow_down, access_denied, expired_token), approval by a
 * signed-in user for one tenant and role, the key the CLI then gets, and the attacks on it.
 */
import { env } from "cloudflare:workers";
import {
  DeviceAuthorization,
  DeviceDecision,
  DeviceTokenResponse,
  ErrorBody,
  MeResponse,
  PendingDeviceAuthorization,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { api, browserHeaders, createTenant, joinTenant, postJson } from "./helpers";

const DB = (env as unknown as Bindings).DB;

let address = 0;
/** Each test starts from its own address, so the per-address start limit is the test's own. */
function freshAddress(): Record<string, string> {
  address += 1;
  return { "cf-connecting-ip": `198.51.100.${address}` };
}

async function start(headers: Record<string, string> = freshAddress()): Promise<DeviceAuthorization> {
  const res = await postJson("/auth/device", { client_name: "nightshift CLI on test-laptop" }, headers, null);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return DeviceAuthorization.parse(await res.json());
}

async function poll(deviceCode: string): Promise<Response> {
  return postJson("/auth/device/token", { device_code: deviceCode }, {}, null);
}

async function errorCode(res: Response): Promise<string> {
  return ErrorBody.parse(await res.json()).error.code;
}

/** The time the CLI waits between polls, passed: the next poll is not too fast. */
async function intervalPassed(): Promise<void> {
  await DB.prepare("UPDATE device_authorizations SET last_polled_at = NULL").run();
}

function decide(
  tenantId: string,
  userCode: string,
  verb: "approve" | "deny",
  as: Record<string, string>,
  body?: unknown,
) {
  const path = `/api/v1/tenants/${tenantId}/device-authorizations/${userCode}/${verb}`;
  return body === undefined ? api(path, { method: "POST" }, as) : postJson(path, body, {}, as);
}

describe("device sign-in (nightshift login)", () => {
  it("starts with a device code, a readable user code and the verification page", async () => {
    const started = await start();
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.device_code.length).toBeGreaterThanOrEqual(43);
    expect(started.verification_uri).toBe("http://nightshift.test/device");
    expect(started.verification_uri_complete).toBe(`http://nightshift.test/device?code=${started.user_code}`);
    expect(started).toMatchObject({ expires_in: 600, interval: 5 });
  });

  it("stores both codes only as hashes", async () => {
    const started = await start();
    const { results } = await DB.prepare("SELECT * FROM device_authorizations").all();
    const stored = JSON.stringify(results);
    expect(results.length).toBeGreaterThan(0);
    expect(stored).not.toContain(started.device_code);
    expect(stored).not.toContain(started.user_code);
    expect(stored).not.toContain(started.user_code.replace("-", ""));
  });

  it("answers authorization_pending until a decision, and slow_down (interval + 5 s) to polling too fast", async () => {
    const started = await start();
    const first = await poll(started.device_code);
    expect(first.status).toBe(400);
    expect(await errorCode(first)).toBe("authorization_pending");
    const tooFast = await poll(started.device_code);
    expect(tooFast.status).toBe(400);
    expect(await errorCode(tooFast)).toBe("slow_down");
    expect(tooFast.headers.get("retry-after")).toBe("10");
  });

  it("answers expired_token to an unknown device code and to an expired sign-in", async () => {
    const unknown = await poll("not-a-device-code-that-was-ever-issued");
    expect(await errorCode(unknown)).toBe("expired_token");
    const started = await start();
    await DB.prepare("UPDATE device_authorizations SET expires_at = ?")
      .bind("2000-01-01T00:00:00.000Z")
      .run();
    const late = await poll(started.device_code);
    expect(late.status).toBe(400);
    expect(await errorCode(late)).toBe("expired_token");
    // An expired code is not offered for approval either.
    const owner = await createTenant("device-expired");
    const lookup = await api(
      `/api/v1/tenants/${owner.tenantId}/device-authorizations/${started.user_code}`,
      {},
      await browserHeaders(owner.userId),
    );
    expect(lookup.status).toBe(404);
  });

  it("approved in the browser, the next poll gets an API key for that tenant and role; it works once", async () => {
    const owner = await createTenant("device-ok");
    const browser = await browserHeaders(owner.userId);
    const started = await start();
    // The page shows which terminal asked, from a code typed in any case, without the dash.
    const typed = started.user_code.replace("-", "").toLowerCase();
    const lookup = await api(`/api/v1/tenants/${owner.slug}/device-authorizations/${typed}`, {}, browser);
    expect(lookup.status).toBe(200);
    expect(PendingDeviceAuthorization.parse(await lookup.json())).toMatchObject({
      userCode: started.user_code,
      clientName: "nightshift CLI on test-laptop",
    });
    const approved = await decide(owner.tenantId, started.user_code, "approve", browser, { role: "admin" });
    expect(approved.status).toBe(200);
    expect(DeviceDecision.parse(await approved.json())).toEqual({
      status: "approved",
      tenantId: owner.tenantId,
      role: "admin",
    });

    const res = await poll(started.device_code);
    expect(res.status).toBe(200);
    const token = DeviceTokenResponse.parse(await res.json());
    expect(token.tenantId).toBe(owner.tenantId);
    expect(token.apiKey).toMatchObject({ role: "admin", createdBy: owner.userId });
    expect(token.apiKey.name).toContain("nightshift CLI on test-laptop");
    expect(token.apiKey.expiresAt).not.toBeNull();
    const me = MeResponse.parse(
      await (await api("/api/v1/me", {}, { authorization: `Bearer ${token.key}` })).json(),
    );
    expect(me.apiKey).toMatchObject({ tenantId: owner.tenantId, role: "admin" });
    expect(me.user.id).toBe(owner.userId);

    // The key's secret exists only in that answer: not in D1, not in the audit log.
    const stored = JSON.stringify(
      (await DB.prepare("SELECT * FROM api_keys").all()).results.concat(
        (await DB.prepare("SELECT * FROM audit_log").all()).results,
      ),
    );
    expect(stored).not.toContain(token.key);
    const audit = await DB.prepare("SELECT action FROM audit_log WHERE target_id = ?")
      .bind(token.apiKey.id)
      .all();
    expect(audit.results).toEqual([{ action: "api_key.created" }]);
  });

  it("a replayed device code gets no second key", async () => {
    const owner = await createTenant("device-replay");
    const started = await start();
    await decide(owner.tenantId, started.user_code, "approve", await browserHeaders(owner.userId));
    expect((await poll(started.device_code)).status).toBe(200);
    await intervalPassed();
    const again = await poll(started.device_code);
    expect(again.status).toBe(400);
    expect(await errorCode(again)).toBe("expired_token");
    const keys = await DB.prepare(
      "SELECT id FROM api_keys WHERE tenant_id = ? AND name LIKE 'nightshift login:%'",
    )
      .bind(owner.tenantId)
      .all();
    expect(keys.results).toHaveLength(1);
  });

  it("denied in the browser, the CLI hears access_denied and the code cannot then be approved", async () => {
    const owner = await createTenant("device-deny");
    const browser = await browserHeaders(owner.userId);
    const started = await start();
    const denied = await decide(owner.tenantId, started.user_code, "deny", browser);
    expect(DeviceDecision.parse(await denied.json())).toMatchObject({ status: "denied", role: null });
    const res = await poll(started.device_code);
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("access_denied");
    const late = await decide(owner.tenantId, started.user_code, "approve", browser);
    expect(late.status).toBe(404);
  });

  it("a leaked API key cannot approve a device sign-in (and so mint itself a successor)", async () => {
    const owner = await createTenant("device-key");
    const started = await start();
    const res = await decide(owner.tenantId, started.user_code, "approve", owner.bearer);
    expect(res.status).toBe(403);
    expect(ErrorBody.parse(await res.json()).error.message).toMatch(/API keys cannot/);
    expect(await errorCode(await poll(started.device_code))).toBe("authorization_pending");
  });

  it("a member cannot grant a key above their own role", async () => {
    const owner = await createTenant("device-role");
    const member = await joinTenant(owner, "member");
    const browser = await browserHeaders(member.userId);
    const started = await start();
    const res = await decide(owner.tenantId, started.user_code, "approve", browser, { role: "owner" });
    expect(res.status).toBe(403);
    // Without a role the key gets the member's own.
    const ok = await decide(owner.tenantId, started.user_code, "approve", browser);
    expect(DeviceDecision.parse(await ok.json()).role).toBe("member");
  });

  it("a user cannot approve a sign-in for a tenant they are not in", async () => {
    const victim = await createTenant("device-victim");
    const outsider = await createTenant("device-outsider");
    const started = await start();
    const res = await decide(
      victim.tenantId,
      started.user_code,
      "approve",
      await browserHeaders(outsider.userId),
    );
    expect(res.status).toBe(404);
    expect(await errorCode(await poll(started.device_code))).toBe("authorization_pending");
  });

  it("guessing user codes is rate limited per user", async () => {
    const owner = await createTenant("device-guess");
    const browser = await browserHeaders(owner.userId);
    // The suite's config makes every limit generous; this runs the app with the shipped default.
    const shipped = { ...(env as unknown as Bindings), RATE_LIMIT_DEVICE_CODES: undefined };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const guess = `BCDF${"GHJKLMNPQRST"[i]}XZZ`;
      const path = `http://nightshift.test/api/v1/tenants/${owner.tenantId}/device-authorizations/${guess}`;
      statuses.push((await createApp().request(path, { headers: browser }, shipped)).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it("starting sign-ins is limited per address", async () => {
    const from = freshAddress();
    for (let i = 0; i < 10; i += 1) await start(from);
    const res = await postJson("/auth/device", {}, from, null);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    // Another address is not affected.
    expect((await postJson("/auth/device", {}, freshAddress(), null)).status).toBe(200);
  });

  it("a malformed user code is a 400 that says what a code looks like", async () => {
    const owner = await createTenant("device-bad");
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/device-authorizations/AEIOU123`,
      {},
      await browserHeaders(owner.userId),
    );
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.message).toMatch(/8 letters/);
  });
});
