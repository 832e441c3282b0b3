/**
 * API key lifecycle: created (shown once), hashed at rest, used (last-used recorded), revoked →
 * 401; expired → 401; malformed → 401; keys cannot mint keys; audit entries for both ends.
 */
import { env } from "cloudflare:workers";
import {
  type ApiKey,
  type AuditEntry,
  CreateApiKeyResponse,
  ListApiKeysResponse,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import { sha256Hex } from "../src/secrets/encoding";
import { api, browserHeaders, createTenant } from "./helpers";

const DB = (env as unknown as Bindings).DB;

async function create(tenantId: string, as: Record<string, string>, body: unknown = { name: "ci" }) {
  return api(
    `/api/v1/tenants/${tenantId}/api-keys`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    as,
  );
}

describe("API keys", () => {
  it("are shown once, stored only as a hash, work as Bearer, record last use, and die when revoked", async () => {
    const tenant = await createTenant("keys");
    const browser = await browserHeaders(tenant.userId);
    const res = await create(tenant.tenantId, browser, { name: "deploy bot", role: "member" });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { apiKey, key } = CreateApiKeyResponse.parse(await res.json());
    expect(key).toMatch(/^nsk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({ name: "deploy bot", role: "member", lastUsedAt: null, revokedAt: null });

    // At rest: the hash and the public prefix, never the key.
    const row = await DB.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(apiKey.id)
      .first<Record<string, unknown>>();
    expect(row?.hash).toBe(await sha256Hex(key));
    // The secret part is everything after the public prefix (it may itself contain "_").
    expect(JSON.stringify(row)).not.toContain(key.slice("nsk_".length + 8 + 1));
    // Listed without the secret part.
    const listed = await api(`/api/v1/tenants/${tenant.tenantId}/api-keys`, {}, browser);
    const listText = await listed.text();
    expect(ListApiKeysResponse.parse(JSON.parse(listText)).apiKeys.map((k) => k.id)).toContain(apiKey.id);
    expect(listText).not.toContain(key);

    const bearer = { authorization: `Bearer ${key}` };
    expect((await api("/api/v1/sessions", {}, bearer)).status).toBe(200);
    const used = await DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
      .bind(apiKey.id)
      .first<{ last_used_at: string }>();
    expect(Date.parse(used?.last_used_at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    // A member key stays a member: no secrets.
    expect((await api(`/api/v1/tenants/${tenant.tenantId}/secrets`, {}, bearer)).status).toBe(403);

    const revoke = await api(
      `/api/v1/tenants/${tenant.tenantId}/api-keys/${apiKey.id}`,
      { method: "DELETE" },
      browser,
    );
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as ApiKey).revokedAt).not.toBeNull();
    const after = await api("/api/v1/sessions", {}, bearer);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);

    const audit = await api(`/api/v1/tenants/${tenant.tenantId}/audit?limit=10`, {}, browser);
    const entries = ((await audit.json()) as { entries: AuditEntry[] }).entries.filter(
      (e) => e.target.id === apiKey.id,
    );
    expect(entries.map((e) => e.action)).toEqual(["api_key.revoked", "api_key.created"]);
    expect(JSON.stringify(entries)).not.toContain(key);
  });

  it("refuse expired, unknown and malformed keys with 401", async () => {
    const tenant = await createTenant("expiry");
    const browser = await browserHeaders(tenant.userId);
    const { apiKey, key } = CreateApiKeyResponse.parse(
      await (await create(tenant.tenantId, browser, { name: "t", expiresInDays: 1 })).json(),
    );
    expect((await api("/api/v1/sessions", {}, { authorization: `Bearer ${key}` })).status).toBe(200);
    await DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
      .bind("2000-01-01T00:00:00.000Z", apiKey.id)
      .run();
    const expired = await api("/api/v1/sessions", {}, { authorization: `Bearer ${key}` });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);

    const unknown = `${key.slice(0, -4)}AAAA`;
    for (const header of [
      `Bearer ${unknown}`,
      "Bearer nope",
      "Basic dXNlcjpwYXNz",
      "Bearer",
      `bearer  ${key}x`,
    ]) {
      const res = await api("/api/v1/sessions", {}, { authorization: header });
      expect(res.status, header).toBe(401);
    }
  });

  it("cannot be created by an API key, nor with a role above the creator's", async () => {
    const tenant = await createTenant("mint");
    const byKey = await create(tenant.tenantId, tenant.bearer);
    expect(byKey.status).toBe(403);
    expect(((await byKey.json()) as { error: { message: string } }).error.message).toMatch(/sign in/);
    const invalid = await create(tenant.tenantId, await browserHeaders(tenant.userId), { name: "" });
    expect(invalid.status).toBe(400);
  });
});
