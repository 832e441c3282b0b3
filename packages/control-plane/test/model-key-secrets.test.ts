/**
 * Model keys stay in the control plane: a tenant secret named like a model key is used by the
 * gateway and never put into a sandbox's environment; other secrets still are. Real D1, real vault.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import { decryptSecretsForSession } from "../src/secrets/sandbox-secrets";
import { api, createTenant } from "./helpers";

describe("model-key secrets", () => {
  it("a tenant's model key secret never reaches the sandbox environment, other secrets still do", async () => {
    const owner = await createTenant("model-keys");
    for (const [name, value] of [
      ["ANTHROPIC_API_KEY", "sk-ant-tenant-model-key"],
      ["OPENAI_API_KEY", "sk-openai-tenant-model-key"],
      ["GEMINI_API_KEY", "gemini-tenant-model-key"],
      ["NPM_TOKEN", "npm-registry-token-value"],
    ]) {
      const res = await api(
        `/api/v1/tenants/${owner.tenantId}/secrets/${name}`,
        { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) },
        owner,
      );
      expect(res.status).toBeLessThan(300);
    }
    const sandboxEnv = await decryptSecretsForSession(env as unknown as Bindings, {
      tenantId: owner.tenantId,
      repo: { kind: "local", path: "demo" },
      createdBy: owner.userId,
    });
    expect(sandboxEnv).toEqual({ NPM_TOKEN: "npm-registry-token-value" });
    expect(JSON.stringify(sandboxEnv)).not.toMatch(/model-key/);
  });
});
