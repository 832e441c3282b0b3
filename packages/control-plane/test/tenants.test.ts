/**
 * Tenants and the caller: /api/v1/me, creating tenants, picking one per request (path, header,
 * key, or the only membership), members by login, deletion with confirmation, and the audit log
 * of session activity.
 */
import {
  type AuditEntry,
  ListAuditResponse,
  MeResponse,
  type Session,
  TENANT_HEADER,
  TenantWithRole,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { api, browserHeaders, createTenant, joinTenant, postJson } from "./helpers";

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("the caller and their tenants", () => {
  it("describes a browser user with all memberships, and an API key with its one tenant", async () => {
    const first = await createTenant("me-a");
    const browser = await browserHeaders(first.userId);
    const created = await api(
      "/api/v1/tenants",
      json("POST", { name: "Second", slug: `second-${first.tenantId.slice(-8)}` }),
      browser,
    );
    expect(created.status).toBe(201);
    const second = TenantWithRole.parse(await created.json());
    expect(second.role).toBe("owner");

    const me = MeResponse.parse(await (await api("/api/v1/me", {}, browser)).json());
    expect(me.via).toBe("session");
    expect(me.tenants.map((t) => t.id).sort()).toEqual([first.tenantId, second.id].sort());
    const viaKey = MeResponse.parse(await (await api("/api/v1/me", {}, first)).json());
    expect(viaKey).toMatchObject({ via: "api_key", apiKey: { tenantId: first.tenantId, role: "owner" } });
    expect(viaKey.tenants.map((t) => t.id)).toEqual([first.tenantId]);
  });

  it("makes a user of several tenants pick one, by path or header (id or slug)", async () => {
    const a = await createTenant("pick");
    const browser = await browserHeaders(a.userId);
    const slug = `pick-two-${a.tenantId.slice(-8)}`;
    const b = TenantWithRole.parse(
      await (await api("/api/v1/tenants", json("POST", { name: "Two", slug }), browser)).json(),
    );
    const ambiguous = await api("/api/v1/sessions", {}, browser);
    expect(ambiguous.status).toBe(400);
    expect(((await ambiguous.json()) as { error: { message: string } }).error.message).toMatch(TENANT_HEADER);
    expect((await api("/api/v1/sessions", { headers: { [TENANT_HEADER]: b.id } }, browser)).status).toBe(200);
    expect((await api("/api/v1/sessions", { headers: { [TENANT_HEADER]: slug } }, browser)).status).toBe(200);
    expect((await api(`/api/v1/tenants/${slug}/sessions`, {}, browser)).status).toBe(200);
    expect((await api("/api/v1/tenants/no-such-tenant/sessions", {}, browser)).status).toBe(404);
    expect((await api("/api/v1/tenants/%E0%A4%A/sessions", {}, browser)).status).toBe(404);
  });

  it("refuses taken or ULID-shaped slugs, and tenant creation by API keys", async () => {
    const t = await createTenant("slug");
    const browser = await browserHeaders(t.userId);
    expect((await api("/api/v1/tenants", json("POST", { name: "x", slug: t.slug }), browser)).status).toBe(
      409,
    );
    expect(
      (await api("/api/v1/tenants", json("POST", { name: "x", slug: "01jaaaaaaaaaaaaaaaaaaaaaaa" }), browser))
        .status,
    ).toBe(400);
    expect(
      (await api("/api/v1/tenants", json("POST", { name: "x", slug: "Bad Slug" }), browser)).status,
    ).toBe(400);
    expect((await api("/api/v1/tenants", json("POST", { name: "x", slug: "by-a-key" }), t)).status).toBe(403);
  });

  it("adds members by login once they have signed in, and says so otherwise", async () => {
    const t = await createTenant("members");
    const other = await createTenant("joiner");
    const browser = await browserHeaders(t.userId);
    const path = `/api/v1/tenants/${t.tenantId}/members`;
    const missing = await api(path, json("POST", { login: "never-signed-in" }), browser);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
      /sign in to Nightshift once/,
    );
    expect((await api(path, json("POST", { login: other.login, role: "admin" }), browser)).status).toBe(201);
    expect((await api(path, json("POST", { login: other.login }), browser)).status).toBe(409);
    // The new admin now sees this tenant.
    const me = MeResponse.parse(
      await (await api("/api/v1/me", {}, await browserHeaders(other.userId))).json(),
    );
    expect(me.tenants.find((x) => x.id === t.tenantId)?.role).toBe("admin");
  });

  it("deletes a tenant only with its slug repeated, and then it is gone", async () => {
    const t = await createTenant("doomed");
    const browser = await browserHeaders(t.userId);
    expect(
      (await api(`/api/v1/tenants/${t.tenantId}?confirm=wrong`, { method: "DELETE" }, browser)).status,
    ).toBe(400);
    expect(
      (await api(`/api/v1/tenants/${t.tenantId}?confirm=${t.slug}`, { method: "DELETE" }, browser)).status,
    ).toBe(204);
    expect((await api(`/api/v1/tenants/${t.tenantId}`, {}, browser)).status).toBe(404);
    expect((await api("/api/v1/sessions", {}, t)).status).toBe(401); // its keys went with it
  });
});

describe("audit log", () => {
  it("records who created and stopped sessions, lists newest first, filters and pages", async () => {
    const t = await createTenant("audit");
    const member = await joinTenant(t, "member");
    const res = await postJson(
      "/api/v1/sessions",
      { repo: { kind: "local", path: "demo" }, prompt: "audited" },
      {},
      member,
    );
    const session = (await res.json()) as Session;
    expect((await api(`/api/v1/sessions/${session.id}/stop`, { method: "POST" }, member)).status).toBe(202);
    const base = `/api/v1/tenants/${t.tenantId}/audit`;
    const all = ListAuditResponse.parse(await (await api(base, {}, t)).json());
    const sessionEntries = all.entries.filter((e) => e.target.id === session.id);
    expect(sessionEntries.map((e) => e.action)).toEqual(["session.stopped", "session.created"]);
    expect(sessionEntries[0]?.actor).toMatchObject({ type: "api_key", name: `${member.login} (API key)` });
    expect(sessionEntries[0]?.detail.userId).toBe(member.userId);

    const created = ListAuditResponse.parse(
      await (await api(`${base}?action=session.created`, {}, t)).json(),
    );
    expect(created.entries.every((e: AuditEntry) => e.action === "session.created")).toBe(true);
    const page1 = ListAuditResponse.parse(await (await api(`${base}?limit=1`, {}, t)).json());
    expect(page1.entries).toHaveLength(1);
    const page2 = ListAuditResponse.parse(
      await (await api(`${base}?limit=1&cursor=${page1.nextCursor}`, {}, t)).json(),
    );
    expect((page2.entries[0]?.id ?? "~") < (page1.entries[0]?.id ?? "")).toBe(true);
    expect((await api(`${base}?action=nope`, {}, t)).status).toBe(400);
    // A failed stop is not audited.
    expect(
      (await api("/api/v1/sessions/01jaaaaaaaaaaaaaaaaaaaaaaa/stop", { method: "POST" }, member)).status,
    ).toBe(404);
    const after = ListAuditResponse.parse(await (await api(base, {}, t)).json());
    expect(after.entries.filter((e) => e.action === "session.stopped")).toHaveLength(1);
  });
});
