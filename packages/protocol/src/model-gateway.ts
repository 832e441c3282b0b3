/**
 * The control plane's model gateway: the providers it speaks for, the tenant settings that steer it
 * (a base URL per provider, spend caps), what it records per call, and the prices it charges usage at.
 */
import { z } from "zod";
import { SessionLimits } from "./budgets.ts";

export const MODEL_PROVIDERS = ["anthropic", "openai", "gemini"] as const;
export const ModelProvider = z.enum(MODEL_PROVIDERS);
export type ModelProvider = z.infer<typeof ModelProvider>;

/**
 * Tenant secrets with these names are model credentials: the gateway injects them upstream and
 * they are never put into a sandbox's environment.
 */
export const MODEL_KEY_SECRET_NAMES: Record<ModelProvider, string> = {
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  gemini: "GEMINI_API_KEY",
};

export function isModelKeySecretName(name: string): boolean {
  return Object.values(MODEL_KEY_SECRET_NAMES).includes(name);
}

/** What the agent CLI inside a sandbox presents as its API key: the runtime's relay adds the real token. */
export const GATEWAY_PLACEHOLDER_KEY = "nightshift-gateway";

const BaseUrl = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(500)
  .refine((u) => {
    // zod runs this even after the URL check failed: that failure is already the message.
    if (!URL.canParse(u)) return true;
    const url = new URL(u);
    return !url.username && !url.password && !url.search && !url.hash;
  }, "must not carry credentials, a query or a fragment (put keys in the tenant's secrets)");

/** PUT/GET /api/v1/tenants/:tenantId/settings/model: the upstream base URL per provider (unset: the deployment's). */
export const ModelSettings = z.strictObject({
  baseUrls: z.strictObject({
    anthropic: BaseUrl.optional(),
    openai: BaseUrl.optional(),
    gemini: BaseUrl.optional(),
  }),
});
export type ModelSettings = z.infer<typeof ModelSettings>;

const Usd = z.number().nonnegative().max(1_000_000);

/** PUT/GET /api/v1/tenants/:tenantId/settings/budget: caps on gateway spend (unset: no cap). */
export const BudgetSettings = z.strictObject({
  /** One session's total gateway spend. */
  sessionUsd: Usd.optional(),
  /** The tenant's spend in the current calendar month (UTC): the hard stop (no new sessions, no calls). */
  monthlyUsd: Usd.optional(),
  /** Percent of monthlyUsd at which the dashboard warns (unset: DEFAULT_MONTHLY_WARN_PERCENT). */
  monthlyWarnPercent: z.number().int().min(1).max(100).optional(),
  /** Every session's turn cap (a session may ask for fewer at create, never more). */
  sessionMaxTurns: SessionLimits.shape.maxTurns,
  /** Every session's wall-time cap in minutes (likewise, fewer at create only). */
  sessionMaxMinutes: SessionLimits.shape.maxMinutes,
});
export type BudgetSettings = z.infer<typeof BudgetSettings>;

export const ModelTokens = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheCreationTokens: z.number().int().nonnegative(),
});
export type ModelTokens = z.infer<typeof ModelTokens>;

/**
 * Whose credential a gateway call went upstream with (never the credential): the session creator's
 * own model account, the tenant's, the deployment's key, or none (a keyless base URL).
 */
export const MODEL_ACCOUNT_SOURCES = ["user", "tenant", "deployment", "none"] as const;
export const ModelAccountSource = z.enum(MODEL_ACCOUNT_SOURCES);
export type ModelAccountSource = z.infer<typeof ModelAccountSource>;

/** GET /api/v1/sessions/:id/usage: the session's gateway calls, summed per provider and model. */
export const SessionModelUsage = z.object({
  sessionId: z.string(),
  calls: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /**
   * Which accounts paid for the calls, each once, in this order: user, tenant, deployment, none
   * (absent from servers older than model accounts).
   */
  paidBy: z.array(ModelAccountSource).optional(),
  byModel: z.array(
    ModelTokens.extend({
      provider: ModelProvider,
      model: z.string(),
      calls: z.number().int().nonnegative(),
      costUsd: z.number().nonnegative(),
    }),
  ),
});
export type SessionModelUsage = z.infer<typeof SessionModelUsage>;

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Longest prefix wins. Public list prices; a deployment with other terms reads the totals, not the dollars. */
const PRICES: { provider: ModelProvider; prefix: string; price: ModelPrice }[] = [
  { provider: "anthropic", prefix: "claude-opus-4-5", price: p(5, 25, 0.5, 6.25) },
  { provider: "anthropic", prefix: "claude-opus", price: p(15, 75, 1.5, 18.75) },
  { provider: "anthropic", prefix: "claude-sonnet", price: p(3, 15, 0.3, 3.75) },
  { provider: "anthropic", prefix: "claude-3-5-sonnet", price: p(3, 15, 0.3, 3.75) },
  { provider: "anthropic", prefix: "claude-haiku-4-5", price: p(1, 5, 0.1, 1.25) },
  { provider: "anthropic", prefix: "claude-3-5-haiku", price: p(0.8, 4, 0.08, 1) },
  { provider: "openai", prefix: "gpt-5-mini", price: p(0.25, 2, 0.025, 0.25) },
  { provider: "openai", prefix: "gpt-5", price: p(1.25, 10, 0.125, 1.25) },
  { provider: "openai", prefix: "gpt-4.1", price: p(2, 8, 0.5, 2) },
  { provider: "openai", prefix: "gpt-4o-mini", price: p(0.15, 0.6, 0.075, 0.15) },
  { provider: "openai", prefix: "gpt-4o", price: p(2.5, 10, 1.25, 2.5) },
  { provider: "openai", prefix: "o4-mini", price: p(1.1, 4.4, 0.275, 1.1) },
  { provider: "gemini", prefix: "gemini-2.5-flash", price: p(0.3, 2.5, 0.075, 0.3) },
  { provider: "gemini", prefix: "gemini-2.5-pro", price: p(1.25, 10, 0.31, 1.25) },
];

/**
 * An unknown model (a new release, a self-hosted one behind a tenant's base URL) is charged at its
 * family's flagship rate — Sonnet, GPT-5, Gemini Pro — so a cap can never be slipped by a model name
 * the table does not know; it may overcharge, never undercharge relative to the mid tier.
 */
const FAMILY_FALLBACK: Record<ModelProvider, ModelPrice> = {
  anthropic: p(3, 15, 0.3, 3.75),
  openai: p(1.25, 10, 0.125, 1.25),
  gemini: p(1.25, 10, 0.31, 1.25),
};

function p(input: number, output: number, cacheRead: number, cacheWrite: number): ModelPrice {
  return { input, output, cacheRead, cacheWrite };
}

/** The table's list price for `model`, or null when the table does not know it (no fallback). */
export function listedPriceOf(provider: ModelProvider, model: string): ModelPrice | null {
  const name = model.toLowerCase().replace(/^models\//, "");
  let best: { prefix: string; price: ModelPrice } | undefined;
  for (const row of PRICES) {
    if (row.provider !== provider || !name.startsWith(row.prefix)) continue;
    if (!best || row.prefix.length > best.prefix.length) best = row;
  }
  return best?.price ?? null;
}

/** What the gateway charges at: the list price, or the family's flagship rate for an unknown model. */
export function priceOf(provider: ModelProvider, model: string): ModelPrice {
  return listedPriceOf(provider, model) ?? FAMILY_FALLBACK[provider];
}

/**
 * The provider a model name belongs to, from its family prefix; null for names no family claims
 * (a self-hosted model behind a custom base URL).
 */
export function providerOfModel(model: string): ModelProvider | null {
  const name = model
    .toLowerCase()
    .replace(/^models\//, "")
    .replace(/^[\w-]+\//, "");
  if (name.startsWith("claude")) return "anthropic";
  if (name.startsWith("gemini")) return "gemini";
  if (/^(gpt-|o\d)/.test(name)) return "openai";
  return null;
}

/** US dollars for `tokens` at `price`. */
export function costAt(price: ModelPrice, tokens: ModelTokens): number {
  return (
    (tokens.inputTokens * price.input +
      tokens.outputTokens * price.output +
      tokens.cacheReadTokens * price.cacheRead +
      tokens.cacheCreationTokens * price.cacheWrite) /
    1_000_000
  );
}

export function costOf(provider: ModelProvider, model: string, tokens: ModelTokens): number {
  return costAt(priceOf(provider, model), tokens);
}
