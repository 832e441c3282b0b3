/**
 * Rate limits: the GCRA decision in D1 (exactly `burst` admitted under concurrency, refill at the
 * configured pace), 429 with Retry-After on session creation per tenant and per API key, the
 * webhook ingress limit, and configuration errors.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { openDatabase } from "../src/db/client";
import { takeRateLimitToken } from "../src/db/repositories/rate-limits";
import type { Bindings } from "../src/env";
import { AppError } from "../src/http/app-error";
import { enforceWebhookRateLimit } from "../src/rate-limit/limiter";
import { ratePolicy } from "../src/rate-limit/policies";
import { createTenant, type Identity, joinTenant } from "./helpers";

const bindings = env as unknown as Bindings;

describe("GCRA over D1", () => {
  it("admits exactly the burst when many requests race for one bucket", async () => {
    const t = await createTenant("race");
    const db = openDatabase(bindings.DB);
    const now = Date.now();
    const params = { now, intervalMs: 60_000, toleranceMs: 5 * 60_000 }; // 1/min, burst 5
    const results = await Promise.all(
      Array.from({ length: 20 }, () => takeRateLimitToken(db, t.tenantId, "race", params)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r).toEqual({ allowed: false, retryAfterMs: 60_000 });
  });

  it("refills one request per interval and keeps buckets apart", async () => {
    const t = await createTenant("refill");
    const db = openDatabase(bindings.DB);
    const at = (now: number) =>
      takeRateLimitToken(db, t.tenantId, "refill", { now, intervalMs: 1000, toleranceMs: 2000 });
    const start = 1_000_000;
    expect((await at(start)).allowed).toBe(true);
    expect((await at(start)).allowed).toBe(true);
    expect(await at(start)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(await at(start + 400)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect((await at(start + 1000)).allowed).toBe(true);
    expect((await at(start + 1000)).allowed).toBe(false);
    const other = await takeRateLimitToken(db, t.tenantId, "other", {
      now: start,
      intervalMs: 1000,
      toleranceMs: 1000,
    });
    expect(other.allowed).toBe(true);
  });
});

async function createSessionWith(vars: Partial<Bindings>, who: Identity): Promise<Response> {
  return createApp().request(
    "http://nightshift.test/api/v1/sessions",
    {
      method: "POST",
      headers: { ...who.bearer, "content-type": "application/json" },
      body: JSON.stringify({ repo: { kind: "local", path: "demo" }, prompt: "limited" }),
    },
    { ...bindings, ...vars },
  );
}

describe("session creation limits", () => {
  it("answers 429 with Retry-After once the tenant's burst is spent", async () => {
    const t = await createTenant("http-limit");
    const vars = { RATE_LIMIT_SESSION_CREATE: "2,2" };
    expect((await createSessionWith(vars, t)).status).toBe(201);
    expect((await createSessionWith(vars, t)).status).toBe(201);
    const limited = await createSessionWith(vars, t);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(29);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    // The whole tenant is limited, whichever key asks.
    expect((await createSessionWith(vars, await joinTenant(t, "member"))).status).toBe(429);
  });

  it("limits each API key on its own, below the tenant's limit", async () => {
    const t = await createTenant("key-limit");
    const other = await joinTenant(t, "member");
    const vars = { RATE_LIMIT_SESSION_CREATE_PER_KEY: "60,1" };
    expect((await createSessionWith(vars, t)).status).toBe(201);
    expect((await createSessionWith(vars, t)).status).toBe(429);
    expect((await createSessionWith(vars, other)).status).toBe(201);
  });

  it("limits webhook ingress per tenant", async () => {
    const t = await createTenant("hooks");
    const vars = { ...bindings, RATE_LIMIT_WEBHOOK: "60,3" };
    for (let i = 0; i < 3; i++) await enforceWebhookRateLimit(vars, t.tenantId);
    const err = await enforceWebhookRateLimit(vars, t.tenantId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(429);
    expect((err as AppError).headers?.["retry-after"]).toBe("1");
  });

  it("explains a malformed limit setting", () => {
    expect(ratePolicy({ ...bindings, RATE_LIMIT_WEBHOOK: undefined }, "webhookTenant")).toEqual({
      perMinute: 300,
      burst: 100,
    });
    expect(() => ratePolicy({ ...bindings, RATE_LIMIT_WEBHOOK: "lots" }, "webhookTenant")).toThrow(
      /RATE_LIMIT_WEBHOOK must be/,
    );
    expect(() => ratePolicy({ ...bindings, RATE_LIMIT_WEBHOOK: "0,1" }, "webhookTenant")).toThrow(
      /RATE_LIMIT_WEBHOOK/,
    );
  });
});
