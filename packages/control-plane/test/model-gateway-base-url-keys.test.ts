/**
 * A base URL a tenant chose (settings/model) receives only the tenant's own key. Any signed-in user
 * can create a tenant and point its base URL at a host they run: the deployment's key must never go
 * there, and an admin's proxy must never collect a member's own model account. Real Worker, DO and
 * D1; the scripted model stands in for the tenant's endpoint.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { anthropicBody, anthropicCall, modelRequestsMarked } from "./gateway-client";
import { api, createTenant, type Identity, joinTenant, postJson } from "./helpers";
import { useIncarnation } from "./sandbox-client";

/** The scripted model, which the tenant names as its own Anthropic endpoint. */
const tenantEndpoint = () => (env as unknown as { ANTHROPIC_BASE_URL: string }).ANTHROPIC_BASE_URL;

function putJson(path: string, body: unknown, who: Identity) {
  return api(
    path,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    who,
  );
}

async function pointTenantAt(owner: Identity, url: string) {
  const res = await putJson(
    `/api/v1/tenants/${owner.tenantId}/settings/model`,
    { baseUrls: { anthropic: url } },
    owner,
  );
  expect(res.status, await res.clone().text()).toBe(200);
}

async function headersSeenUpstream(who: Identity) {
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "local", path: "demo" }, prompt: "x" },
    {},
    who,
  );
  const session = (await res.json()) as Session;
  const token = await useIncarnation(session, `inc-baseurl-${session.id}`);
  const marker = `baseurl-${crypto.randomUUID()}`;
  const call = await anthropicCall(token, anthropicBody(marker, false));
  expect(call.status).toBe(200);
  await call.text();
  const [seen] = await modelRequestsMarked(marker);
  if (!seen) throw new Error("the call never reached the tenant's endpoint");
  return seen.headers;
}

describe("a tenant's own base URL and whose key goes there", () => {
  it("never receives the deployment's key: a tenant owner pointing it at their host cannot harvest it", async () => {
    const owner = await createTenant("baseurl-harvest-deployment");
    await pointTenantAt(owner, tenantEndpoint());
    const seen = await headersSeenUpstream(owner);
    expect(seen["x-api-key"]).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain("test-deployment-anthropic-key");
  });

  it("never receives a member's own account: an admin's proxy gets the tenant's key instead", async () => {
    const owner = await createTenant("baseurl-harvest-member");
    const member = await joinTenant(owner, "member");
    const own = await putJson(
      `/api/v1/tenants/${owner.tenantId}/me/model-accounts/anthropic`,
      { value: "member-personal-anthropic-key-0007" },
      member,
    );
    expect(own.status).toBe(201);
    const tenantKey = await putJson(
      `/api/v1/tenants/${owner.tenantId}/settings/model-accounts/anthropic`,
      { value: "tenant-proxy-anthropic-key-0007" },
      owner,
    );
    expect(tenantKey.status).toBe(201);
    await pointTenantAt(owner, tenantEndpoint());
    const seen = await headersSeenUpstream(member);
    expect(seen["x-api-key"]).toBe("tenant-proxy-anthropic-key-0007");
    expect(JSON.stringify(seen)).not.toContain("member-personal-anthropic-key-0007");
  });
});
