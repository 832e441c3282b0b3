/**
 * Per-tenant and per-user limits (issue 11 §6): prompts per minute, on new sessions and on
 * follow-ups, and tenants one person may own. Each answers 429 with Retry-After and a message
 * a person understands.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { requestWith } from "./capacity";
import { browserHeaders, createTenant } from "./helpers";

const bindings = env as unknown as Bindings;

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe("prompts per minute", () => {
  it("a tenant flooding prompts gets 429 with Retry-After, on follow-ups and on new sessions alike", async () => {
    const t = await createTenant("flood");
    const vars = { RATE_LIMIT_PROMPTS: "2,2" };
    const created = await requestWith(vars, t, "/api/v1/sessions", {
      repo: { kind: "local", path: "demo" },
      prompt: "first",
    });
    expect(created.status).toBe(201);
    const session = (await created.json()) as Session;
    expect(
      (await requestWith(vars, t, `/api/v1/sessions/${session.id}/prompts`, { text: "two" })).status,
    ).toBe(202);
    const limited = await requestWith(vars, t, `/api/v1/sessions/${session.id}/prompts`, { text: "three" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(29);
    const error = await errorOf(limited);
    expect(error.code).toBe("rate_limited");
    expect(error.message).toMatch(
      /too many prompts sent in this tenant: at most 2 a minute.*try again in \d+ s/,
    );
    const newSession = await requestWith(vars, t, "/api/v1/sessions", {
      repo: { kind: "local", path: "demo" },
      prompt: "another",
    });
    expect(newSession.status).toBe(429);
    expect(newSession.headers.get("retry-after")).not.toBeNull();
    // Another tenant's budget is its own.
    const other = await createTenant("calm");
    expect(
      (
        await requestWith(vars, other, "/api/v1/sessions", {
          repo: { kind: "local", path: "demo" },
          prompt: "hi",
        })
      ).status,
    ).toBe(201);
  });
});

describe("tenants per user", () => {
  it("one person cannot mint tenants without end: past the cap, 429 with Retry-After", async () => {
    const owner = await createTenant("minter");
    const headers = { ...(await browserHeaders(owner.userId)), "content-type": "application/json" };
    const vars = { ...bindings, MAX_TENANTS_PER_USER: "3" };
    const create = (slug: string) =>
      createApp().request(
        "http://nightshift.test/api/v1/tenants",
        { method: "POST", headers, body: JSON.stringify({ slug, name: slug }) },
        vars,
      );
    const suffix = owner.tenantId.slice(-8);
    expect((await create(`m1-${suffix}`)).status).toBe(201);
    expect((await create(`m2-${suffix}`)).status).toBe(201);
    const limited = await create(`m3-${suffix}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const error = await errorOf(limited);
    expect(error.code).toBe("rate_limited");
    expect(error.message).toMatch(/you already own 3 tenants, the most one person may own \(3\)/);
  });
});
