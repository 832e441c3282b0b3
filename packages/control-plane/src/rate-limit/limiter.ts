/**
 * Rate limiting with GCRA over D1 (see docs/security.md, "Rate limits", for why D1 and not a
 * Durable Object). Rejections become 429 with Retry-After in whole seconds.
 */
import { openDatabase } from "../db/client";
import { takeRateLimitToken } from "../db/repositories/rate-limits";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { RATE_LIMITS, type RateLimitName, ratePolicy } from "./policies";

export interface RateCheck {
  name: RateLimitName;
  /** The bucket inside the tenant: "tenant", or "key:<id>" for a per-key limit. */
  bucket: string;
}

export async function enforceRateLimit(
  env: Bindings,
  tenantId: string,
  check: RateCheck,
  now: number = Date.now(),
): Promise<void> {
  const policy = ratePolicy(env, check.name);
  const intervalMs = 60_000 / policy.perMinute;
  const result = await takeRateLimitToken(openDatabase(env.DB), tenantId, `${check.name}:${check.bucket}`, {
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
