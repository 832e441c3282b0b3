/**
 * The rate limits, each "<requests per minute>,<burst>" from a Worker var with a default here.
 * Burst is how many requests may arrive at once after a quiet spell; the rate is the sustained pace.
 */
import { z } from "zod";
import type { Bindings } from "../env";

export interface RatePolicy {
  perMinute: number;
  burst: number;
}

export const RATE_LIMITS = {
  /** Session creation over HTTP, per tenant: whatever the caller (dashboard or API). */
  sessionCreateTenant: {
    env: "RATE_LIMIT_SESSION_CREATE",
    what: "sessions started in this tenant",
    fallback: { perMinute: 60, burst: 30 },
  },
  /** Session creation, per API key, so one script cannot use up its whole tenant's budget. */
  sessionCreateKey: {
    env: "RATE_LIMIT_SESSION_CREATE_PER_KEY",
    what: "sessions started with this API key",
    fallback: { perMinute: 30, burst: 10 },
  },
  /**
   * Prompts per tenant, a new session's first prompt included, so no tenant floods the agents.
   * At least the session-creation budget, so starting sessions is never limited by this first.
   */
  promptTenant: {
    env: "RATE_LIMIT_PROMPTS",
    what: "prompts sent in this tenant",
    fallback: { perMinute: 120, burst: 60 },
  },
  /** Webhook deliveries accepted per tenant (GitHub today; other integrations are planned). */
  webhookTenant: {
    env: "RATE_LIMIT_WEBHOOK",
    what: "webhook deliveries for this tenant",
    fallback: { perMinute: 300, burst: 100 },
    // Deliveries arrive in bursts on the hot path of every integration: leases (leases.ts) spare
    // most of them the limiter's round trip. The other limits stay exact, one call per request.
    leased: true,
  },
  /** Device sign-in codes a user enters in the dashboard, per user: bounds guessing someone's code. */
  deviceCodeEntry: {
    env: "RATE_LIMIT_DEVICE_CODES",
    what: "sign-in codes entered",
    fallback: { perMinute: 10, burst: 10 },
  },
} as const satisfies Record<
  string,
  { env: keyof Bindings; what: string; fallback: RatePolicy; leased?: true }
>;

export type RateLimitName = keyof typeof RATE_LIMITS;

const Spec = z
  .string()
  .regex(/^\s*\d+\s*,\s*\d+\s*$/, "must be '<requests per minute>,<burst>', e.g. '60,30'")
  .transform((s) => s.split(",").map((n) => Number(n.trim())))
  .pipe(z.tuple([z.number().int().min(1).max(1_000_000), z.number().int().min(1).max(1_000_000)]));

export function ratePolicy(env: Bindings, name: RateLimitName): RatePolicy {
  const { env: variable, fallback } = RATE_LIMITS[name];
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  const parsed = Spec.safeParse(raw);
  if (!parsed.success) throw new Error(`${variable} ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  const [perMinute, burst] = parsed.data;
  return { perMinute, burst };
}
