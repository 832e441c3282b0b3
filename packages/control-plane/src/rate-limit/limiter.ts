/**
 * Rate limiting with GCRA in a Durable Object per tenant (tenant-limiter.ts): one DO call per
 * limited request and no D1 write. Rejections become 429 with Retry-After in whole seconds.
 */
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { RATE_LIMITS, type RateLimitName, ratePolicy } from "./policies";
import type { TakeAnswer } from "./tenant-limiter";

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
  params: { now: number; intervalMs: number; toleranceMs: number },
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
  const result = await takeRateLimitToken(env, tenantId, `${check.name}:${check.bucket}`, {
    now,
    intervalMs,
    toleranceMs: intervalMs * policy.burst,
  });
  if (!result.allowed) {
    const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    throw new AppError(
      "rate_limited",
      `too many ${RATE_LIMITS[check.name].what}: at most ${policy.perMinute} a minute (${policy.burst} at once); try again in ${seconds} s`,
      undefined,
      { "retry-after": String(seconds) },
    );
  }
}

/** For webhook handlers: call once the delivery is verified and its tenant known. */
export function enforceWebhookRateLimit(env: Bindings, tenantId: string): Promise<void> {
  return enforceRateLimit(env, tenantId, { name: "webhookTenant", bucket: "tenant" });
}
