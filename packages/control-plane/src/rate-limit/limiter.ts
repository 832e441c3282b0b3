/**
 * Rate limiting with GCRA in a Durable Object per tenant (tenant-limiter.ts), no D1 write: a
 * request is admitted by the object, or, for a leased limit (webhook ingress), by this isolate out
 * of a lease the object granted it for a stream of requests on the same bucket (leases.ts).
 * Rejections, always the object's, become 429 with Retry-After in whole seconds.
 */
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { TokenLeases } from "./leases";
import { RATE_LIMITS, type RateLimitName, ratePolicy } from "./policies";
import type { TakeAnswer } from "./tenant-limiter";

/** A lease lives a second: long enough for a burst of deliveries, short enough to waste little. */
const LEASE_TTL_MS = 1_000;
const LEASE_MAX = 8;
const leases = new TokenLeases({ ttlMs: LEASE_TTL_MS, maxWant: LEASE_MAX, maxEntries: 1_000 });

export interface RateCheck {
  name: RateLimitName;
  /** The bucket inside the tenant: "tenant", or "key:<id>" for a per-key limit. */
  bucket: string;
}

/** Takes one request from the tenant's bucket in its limiter object. */
export async function takeRateLimitToken(
  env: Bindings,
  tenantId: string,
  bucket: string,
  params: { now: number; intervalMs: number; toleranceMs: number; want?: number },
): Promise<TakeAnswer> {
  const answer = await env.RATE_LIMITER.getByName(tenantId).take({ tenantId, bucket, ...params });
  // Cannot happen for an object named by the tenant itself; a bug must not read as "allowed".
  if ("refused" in answer) throw new Error("the rate limiter belongs to another tenant");
  return answer;
}

export async function enforceRateLimit(
  env: Bindings,
  tenantId: string,
  check: RateCheck,
  now: number = Date.now(),
): Promise<void> {
  const policy = ratePolicy(env, check.name);
  const intervalMs = 60_000 / policy.perMinute;
  const toleranceMs = intervalMs * policy.burst;
  const bucket = `${check.name}:${check.bucket}`;
  // The policy is in the key: a lease taken under one setting is not spent under another.
  const key = `${tenantId}\n${bucket}\n${intervalMs}\n${toleranceMs}`;
  const leased = "leased" in RATE_LIMITS[check.name];
  if (leased && leases.takeLocal(key, now)) return;
  const want = leased ? leases.want(key, now) : 1;
  const result = await takeRateLimitToken(env, tenantId, bucket, { now, intervalMs, toleranceMs, want });
  if (result.allowed) {
    if (leased) leases.granted(key, result.granted, want, now);
    return;
  }
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  throw new AppError(
    "rate_limited",
    `too many ${RATE_LIMITS[check.name].what}: at most ${policy.perMinute} a minute (${policy.burst} at once); try again in ${seconds} s`,
    undefined,
    { "retry-after": String(seconds) },
  );
}

/** For webhook handlers: call once the delivery is verified and its tenant known. */
export function enforceWebhookRateLimit(env: Bindings, tenantId: string): Promise<void> {
  return enforceRateLimit(env, tenantId, { name: "webhookTenant", bucket: "tenant" });
}
