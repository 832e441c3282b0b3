/**
 * A GitHub App key that is set but malformed is reported as malformed, naming the variable and
 * the format expected, at the routes that need the App; never as "no GitHub App configured".
 */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { createTenant, type Identity } from "./helpers";

const app = createApp();

const MALFORMED_KEYS = {
  "not a PEM at all": "ghp-this-is-not-a-key",
  "a PEM cut short": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
};

function withKey(key: string): Bindings {
  return { ...(env as unknown as Bindings), GITHUB_APP_PRIVATE_KEY: key };
}

async function call(key: string, path: string, init: RequestInit, as?: Identity) {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(as?.bearer ?? {})) headers.set(k, v);
  const res = await app.fetch(
    new Request(`http://nightshift.test${path}`, { ...init, headers }),
    withKey(key),
    createExecutionContext(),
  );
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe("a malformed GITHUB_APP_PRIVATE_KEY", () => {
  for (const [what, key] of Object.entries(MALFORMED_KEYS)) {
    it(`is named as malformed on the tenant's GitHub page, not shown as 'not configured' (${what})`, async () => {
      const owner = await createTenant("malformed-key");
      const { status, body } = await call(key, `/api/v1/tenants/${owner.tenantId}/github`, {}, owner);
      expect(status).toBe(503);
      expect(body.error?.code).toBe("upstream_unavailable");
      expect(body.error?.message).toMatch(/GITHUB_APP_PRIVATE_KEY/);
      expect(body.error?.message).toMatch(/PEM/);
      expect(body.error?.message).not.toContain(key);
    });
  }

  it("is named as malformed to a webhook delivery (503, so GitHub redelivers), not a 500", async () => {
    const { status, body } = await call(MALFORMED_KEYS["a PEM cut short"], "/webhooks/github", {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "d-1" },
      body: "{}",
    });
    expect(status).toBe(503);
    expect(body.error?.message).toMatch(
      /GITHUB_APP_PRIVATE_KEY is a 'RSA PRIVATE KEY' PEM whose body is not a whole key/,
    );
  });

  it("leaves an unset App reported as not configured", async () => {
    const owner = await createTenant("no-app");
    const res = await app.fetch(
      new Request(`http://nightshift.test/api/v1/tenants/${owner.tenantId}/github`, {
        headers: owner.bearer,
      }),
      { ...(env as unknown as Bindings), GITHUB_APP_PRIVATE_KEY: undefined, GITHUB_APP_ID: undefined },
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ configured: false });
  });
});
