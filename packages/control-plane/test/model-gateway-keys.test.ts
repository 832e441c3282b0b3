/**
 * Which model key the gateway sends upstream when a tenant holds several: a repository's own key
 * over the tenant-wide one, and an admin-only key only for sessions an admin started. Real Worker,
 * real DO and D1 (secrets sealed through the secrets API), the scripted model upstream.
 */
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { anthropicBody, anthropicCall, modelRequestsMarked } from "./gateway-client";
import { api, createTenant, type Identity, joinTenant, postJson } from "./helpers";
import { useIncarnation } from "./sandbox-client";

const REPO = { kind: "local", path: "demo" } as const;

function putKey(who: Identity, value: string, extra: { repo?: string; adminOnly?: boolean } = {}) {
  const query = extra.repo ? `?repo=${encodeURIComponent(extra.repo)}` : "";
  return api(
    `/api/v1/tenants/${who.tenantId}/secrets/ANTHROPIC_API_KEY${query}`,
    {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value, ...(extra.adminOnly ? { adminOnly: true } : {}) }),
    },
    who,
  );
}

/** A session started by `who`, and its sandbox token. */
async function sandboxOf(who: Identity, label: string): Promise<string> {
  const res = await postJson("/api/v1/sessions", { repo: REPO, prompt: "Add a README" }, {}, who);
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as Session;
  return useIncarnation(session, `inc-${label}-${session.id}`);
}

/** The x-api-key the scripted model saw for one marked call through the gateway. */
async function keySeenUpstream(token: string, marker: string): Promise<string | undefined> {
  const res = await anthropicCall(token, anthropicBody(marker, false));
  expect(res.status).toBe(200);
  await res.text();
  const [seen] = await modelRequestsMarked(marker);
  return seen?.headers["x-api-key"];
}

describe("model gateway: which tenant key", () => {
  it("a repository's own model key wins over the tenant-wide one", async () => {
    const owner = await createTenant("gw-repo-key");
    expect((await putKey(owner, "tenant-wide-anthropic-key")).status).toBeLessThan(300);
    expect((await putKey(owner, "repo-demo-anthropic-key", { repo: "local:demo" })).status).toBeLessThan(300);
    const token = await sandboxOf(owner, "repo-key");
    expect(await keySeenUpstream(token, `repo-key-${crypto.randomUUID()}`)).toBe("repo-demo-anthropic-key");
  });

  it("a member's session never calls the model with an admin-only key (falls back to the deployment's); an admin's does", async () => {
    const owner = await createTenant("gw-admin-key");
    const member = await joinTenant(owner, "member");
    const admin = await joinTenant(owner, "admin");
    expect((await putKey(owner, "admin-only-anthropic-key", { adminOnly: true })).status).toBeLessThan(300);

    const memberToken = await sandboxOf(member, "member-key");
    expect(await keySeenUpstream(memberToken, `member-key-${crypto.randomUUID()}`)).toBe(
      "test-deployment-anthropic-key",
    );
    const adminToken = await sandboxOf(admin, "admin-key");
    expect(await keySeenUpstream(adminToken, `admin-key-${crypto.randomUUID()}`)).toBe(
      "admin-only-anthropic-key",
    );
  });
});
