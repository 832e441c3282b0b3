/**
 * Rate limits: the GCRA decision in the tenant's limiter Durable Object (exactly `burst` admitted
 * under concurrency, refill at the configured pace, state that survives an eviction, no D1 write),
 * 429 with Retry-After on session creation per tenant and per API key, the webhook ingress limit,
 * and configuration errors.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { AppError } from "../src/http/app-error";
import { gcra, gcraLease } from "../src/rate-limit/gcra";
import { enforceRateLimit, enforceWebhookRateLimit, takeRateLimitToken } from "../src/rate-limit/limiter";
import { ratePolicy } from "../src/rate-limit/policies";
import { WRONG_TENANT } from "../src/rate-limit/tenant-limiter";
import { createTenant, type Identity, joinTenant } from "./helpers";

const bindings = env as unknown as Bindings;

describe("GCRA", () => {
  it("admits up to the burst, then refills one request per interval", () => {
    const p = (now: number) => ({ now, intervalMs: 1000, toleranceMs: 2000 });
    const first = gcra(null, p(0));
    expect(first).toEqual({ allowed: true, tat: 1000 });
    const second = gcra(1000, p(0));
    expect(second).toEqual({ allowed: true, tat: 2000 });
    expect(gcra(2000, p(0))).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(gcra(2000, p(400))).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(gcra(2000, p(1000))).toEqual({ allowed: true, tat: 3000 });
    // A long quiet spell restores the whole burst, no more.
    expect(gcra(3000, p(60_000))).toEqual({ allowed: true, tat: 61_000 });
  });

  it("leases at most a quarter of what the bucket could admit now, charging each request", () => {
    const p = { now: 0, intervalMs: 100, toleranceMs: 10_000 }; // burst 100
    expect(gcraLease(null, p, 8)).toEqual({ allowed: true, tat: 800, granted: 8 });
    // 10 admissible (tat 9,000): a quarter is 2.
    expect(gcraLease(9_000, p, 8)).toEqual({ allowed: true, tat: 9_200, granted: 2 });
    // 3 admissible: still one, as `gcra` would admit it.
    expect(gcraLease(9_700, p, 8)).toEqual({ allowed: true, tat: 9_800, granted: 1 });
    // Full: the same refusal as `gcra`.
    expect(gcraLease(10_000, p, 8)).toEqual(gcra(10_000, p));
    // One asked for is one granted, exactly as `gcra` decides.
    expect(gcraLease(null, p, 1)).toEqual({ ...gcra(null, p), granted: 1 });
  });
});

describe("the tenant's limiter object", () => {
  it("admits exactly the burst when many requests race for one bucket", async () => {
    const t = await createTenant("race");
    const now = Date.now();
    const params = { now, intervalMs: 60_000, toleranceMs: 5 * 60_000 }; // 1/min, burst 5
    const results = await Promise.all(
      Array.from({ length: 20 }, () => takeRateLimitToken(bindings, t.tenantId, "race", params)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r).toEqual({ allowed: false, retryAfterMs: 60_000 });
  });

  it("refills one request per interval and keeps buckets apart", async () => {
    const t = await createTenant("refill");
    const at = (now: number) =>
      takeRateLimitToken(bindings, t.tenantId, "refill", { now, intervalMs: 1000, toleranceMs: 2000 });
    const start = 1_000_000;
    expect((await at(start)).allowed).toBe(true);
    expect((await at(start)).allowed).toBe(true);
    expect(await at(start)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(await at(start + 400)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect((await at(start + 1000)).allowed).toBe(true);
    expect((await at(start + 1000)).allowed).toBe(false);
    const other = await takeRateLimitToken(bindings, t.tenantId, "other", {
      now: start,
      intervalMs: 1000,
      toleranceMs: 1000,
    });
    expect(other.allowed).toBe(true);
  });

  it("eviction reset attack: an evicted limiter still remembers the spent burst", async () => {
    const t = await createTenant("evicted");
    const vars = { ...bindings, RATE_LIMIT_WEBHOOK: "1,2" };
    await enforceWebhookRateLimit(vars, t.tenantId);
    await enforceWebhookRateLimit(vars, t.tenantId);
    await evictDurableObject(bindings.RATE_LIMITER.getByName(t.tenantId));
    const err = await enforceWebhookRateLimit(vars, t.tenantId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(429);
  });

  it("a limited request writes no D1 row", async () => {
    const t = await createTenant("no-d1");
    const changesBefore = await d1RowCount();
    await enforceRateLimit(bindings, t.tenantId, { name: "promptTenant", bucket: "tenant" });
    await enforceWebhookRateLimit(bindings, t.tenantId);
    expect(await d1RowCount()).toBe(changesBefore);
  });

  it("cross-tenant limiter attack: a limiter bound to one tenant refuses another's calls", async () => {
    const a = await createTenant("owner-a");
    const b = await createTenant("owner-b");
    const limiter = bindings.RATE_LIMITER.getByName(a.tenantId);
    const params = { now: Date.now(), intervalMs: 1000, toleranceMs: 1000 };
    expect(await limiter.take({ tenantId: a.tenantId, bucket: "x", ...params })).toEqual({
      allowed: true,
      granted: 1,
    });
    expect(await limiter.take({ tenantId: b.tenantId, bucket: "x", ...params })).toEqual(WRONG_TENANT);
    // Nothing was taken from the owner's bucket on the intruder's behalf.
    expect(await limiter.take({ tenantId: a.tenantId, bucket: "y", ...params })).toEqual({
      allowed: true,
      granted: 1,
    });
  });
});

/** Rows in every D1 table: a rate-limit bucket kept in D1 would add one on its first request. */
async function d1RowCount(): Promise<number> {
  const { results } = await bindings.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
  ).all<{ name: string }>();
  let sum = 0;
  for (const { name } of results) {
    const row = await bindings.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>();
    sum += row?.n ?? 0;
  }
  return sum;
}

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

  it("a stream of deliveries takes leases: fewer calls to the limiter object, never more than the burst", async () => {
    const t = await createTenant("leased");
    const stream = (name: "webhookTenant" | "promptTenant") => {
      let objectCalls = 0;
      const counted = {
        ...bindings,
        RATE_LIMIT_WEBHOOK: "60,20",
        RATE_LIMIT_PROMPTS: "60,20",
        RATE_LIMITER: {
          getByName: (id: string) => {
            objectCalls += 1;
            return bindings.RATE_LIMITER.getByName(id);
          },
        },
      } as unknown as Bindings;
      return async () => {
        const now = Date.now();
        const outcomes: boolean[] = [];
        for (let i = 0; i < 30; i++)
          outcomes.push(
            await enforceRateLimit(counted, t.tenantId, { name, bucket: "tenant" }, now).then(
              () => true,
              (err: unknown) => {
                expect(err).toBeInstanceOf(AppError);
                return false;
              },
            ),
          );
        return { outcomes, objectCalls };
      };
    };
    const webhooks = await stream("webhookTenant")();
    // Exactly the burst, in order: every leased request was charged, none was handed out twice.
    expect(webhooks.outcomes).toEqual([...Array(20).fill(true), ...Array(10).fill(false)]);
    // Granted per call: 1, 2, 4, then a quarter of what is left (3, 2, 2), then 1 each for the
    // last 6; then one call per refusal: 12 + 10, where asking for each request would make 30.
    expect(webhooks.objectCalls).toBe(22);
    // A limit that is not leased (prompts) asks the object for every request.
    const prompts = await stream("promptTenant")();
    expect(prompts.outcomes).toEqual(webhooks.outcomes);
    expect(prompts.objectCalls).toBe(30);
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
