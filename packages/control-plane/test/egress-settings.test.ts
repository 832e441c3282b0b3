/**
 * The tenant's egress allow-list: owners and admins edit it (validated, audited), members read
 * it, and other tenants never see it.
 */
import { type ListAuditResponse, TenantSettings } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { api, createTenant, type Identity, joinTenant } from "./helpers";

function putEgress(who: Identity, allowHosts: unknown, tenantId = who.tenantId) {
  return api(
    `/api/v1/tenants/${tenantId}/settings/egress`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ allowHosts }) },
    who,
  );
}

describe("egress allow-list settings", () => {
  it("owners and admins set host patterns, members read them, bad patterns get 400", async () => {
    const owner = await createTenant("egress");
    const admin = await joinTenant(owner, "admin");
    const member = await joinTenant(owner, "member");

    const empty = TenantSettings.parse(
      await (await api(`/api/v1/tenants/${owner.tenantId}/settings`, {}, member)).json(),
    );
    expect(empty).toEqual({ egress: { allowHosts: [] }, updatedAt: null });

    const set = await putEgress(owner, [
      "Registry.NPMjs.org",
      "*.example.com",
      "pypi.org:443",
      "pypi.org:443",
    ]);
    expect(set.status).toBe(200);
    expect(TenantSettings.parse(await set.json()).egress.allowHosts).toEqual([
      "*.example.com",
      "pypi.org:443",
      "registry.npmjs.org",
    ]);
    expect((await putEgress(admin, ["crates.io"])).status).toBe(200);

    const denied = await putEgress(member, ["evil.example"]);
    expect(denied.status).toBe(403);
    const read = TenantSettings.parse(
      await (await api(`/api/v1/tenants/${owner.tenantId}/settings`, {}, member)).json(),
    );
    expect(read.egress.allowHosts).toEqual(["crates.io"]);

    for (const bad of [["10.0.0.1"], ["169.254.169.254"], ["http://x.example"], ["localhost"], ["*"], "x"]) {
      const res = await putEgress(owner, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }

    const audit = (await (
      await api(`/api/v1/tenants/${owner.tenantId}/audit?action=settings.egress_changed`, {}, owner)
    ).json()) as ListAuditResponse;
    expect(audit.entries).toHaveLength(2);
    expect(audit.entries[0]?.detail).toMatchObject({ added: "crates.io", count: 1 });

    // Another tenant's owner cannot read or write this tenant's settings.
    const stranger = await createTenant("egress-other");
    expect((await api(`/api/v1/tenants/${owner.tenantId}/settings`, {}, stranger)).status).toBe(404);
    expect((await putEgress(stranger, ["a.example.com"], owner.tenantId)).status).toBe(404);
  });
});
