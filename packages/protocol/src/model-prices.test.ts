/**
 * What the model gateway charges and accepts: each listed model family's list price (longest
 * prefix wins), the flagship fallback for names the table does not know (never cheaper than the
 * mid tier, so a cap cannot be slipped), and the tenant's gateway settings.
 */
import { describe, expect, it } from "vitest";
import {
  BudgetSettings,
  costOf,
  isModelKeySecretName,
  listedPriceOf,
  type ModelProvider,
  ModelSettings,
  priceOf,
  providerOfModel,
  SessionModelUsage,
} from "./index.ts";

const price = (input: number, output: number, cacheRead: number, cacheWrite: number) => ({
  input,
  output,
  cacheRead,
  cacheWrite,
});

const LIST_PRICES: [ModelProvider, string, ReturnType<typeof price>][] = [
  ["anthropic", "claude-opus-4-5-20251101", price(5, 25, 0.5, 6.25)],
  ["anthropic", "claude-opus-4-1", price(15, 75, 1.5, 18.75)],
  ["anthropic", "claude-sonnet-4-5", price(3, 15, 0.3, 3.75)],
  ["anthropic", "claude-3-5-sonnet-latest", price(3, 15, 0.3, 3.75)],
  ["anthropic", "claude-haiku-4-5", price(1, 5, 0.1, 1.25)],
  ["anthropic", "claude-3-5-haiku-latest", price(0.8, 4, 0.08, 1)],
  ["openai", "gpt-5-mini-2025", price(0.25, 2, 0.025, 0.25)],
  ["openai", "gpt-5", price(1.25, 10, 0.125, 1.25)],
  ["openai", "gpt-4.1-nano", price(2, 8, 0.5, 2)],
  ["openai", "gpt-4o-mini", price(0.15, 0.6, 0.075, 0.15)],
  ["openai", "gpt-4o-2024-08-06", price(2.5, 10, 1.25, 2.5)],
  ["openai", "o4-mini", price(1.1, 4.4, 0.275, 1.1)],
  ["gemini", "gemini-2.5-flash-lite", price(0.3, 2.5, 0.075, 0.3)],
  ["gemini", "models/gemini-2.5-pro", price(1.25, 10, 0.31, 1.25)],
];

describe("model prices", () => {
  it.each(LIST_PRICES)("%s %s is charged its family's list price", (provider, model, expected) => {
    expect(priceOf(provider, model)).toEqual(expected);
  });

  it("reads model names case-insensitively and never across providers", () => {
    expect(priceOf("anthropic", "Claude-Haiku-4-5")).toEqual(price(1, 5, 0.1, 1.25));
    // An OpenAI name sent to the Anthropic route is an unknown Anthropic model: the flagship rate.
    expect(priceOf("anthropic", "gpt-4o-mini")).toEqual(price(3, 15, 0.3, 3.75));
  });

  it("charges an unknown model at its family's flagship rate", () => {
    expect(priceOf("anthropic", "claude-next")).toEqual(price(3, 15, 0.3, 3.75));
    expect(priceOf("openai", "gpt-6-preview")).toEqual(price(1.25, 10, 0.125, 1.25));
    expect(priceOf("gemini", "gemini-3-ultra")).toEqual(price(1.25, 10, 0.31, 1.25));
    expect(priceOf("gemini", "xmodels/gemini-2.5-flash")).toEqual(price(1.25, 10, 0.31, 1.25));
  });

  it("adds up every kind of token at its own rate, per million", () => {
    const tokens = {
      inputTokens: 1_000_000,
      outputTokens: 2_000_000,
      cacheReadTokens: 3_000_000,
      cacheCreationTokens: 4_000_000,
    };
    // 1×3 + 2×15 + 3×0.3 + 4×3.75 dollars
    expect(costOf("anthropic", "claude-sonnet-4", tokens)).toBeCloseTo(3 + 30 + 0.9 + 15, 10);
    expect(costOf("openai", "gpt-5", { ...tokens, inputTokens: 500_000 })).toBeCloseTo(
      0.625 + 20 + 0.375 + 5,
      10,
    );
  });
});

describe("gateway settings", () => {
  it("model credentials are exactly the three providers' key names", () => {
    for (const name of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"])
      expect(isModelKeySecretName(name), name).toBe(true);
    for (const name of ["NPM_TOKEN", "anthropic_api_key", "ANTHROPIC_API_KEY_2"])
      expect(isModelKeySecretName(name), name).toBe(false);
  });

  it("a base URL is http(s), at most 500 characters, without credentials, query or fragment", () => {
    const ok = (url: string) => ModelSettings.safeParse({ baseUrls: { anthropic: url } }).success;
    expect(ok("https://llm.example.com/v1")).toBe(true);
    expect(ok("http://127.0.0.1:9000")).toBe(true);
    expect(ok(`https://example.com/${"a".repeat(480)}`)).toBe(true);
    expect(ok(`https://example.com/${"a".repeat(490)}`)).toBe(false);
    expect(ok("ftp://example.com")).toBe(false);
    const refusal = (url: string) =>
      ModelSettings.safeParse({ baseUrls: { openai: url } }).error?.issues[0]?.message;
    const NO_SECRETS = "must not carry credentials, a query or a fragment (put keys in the tenant's secrets)";
    expect(refusal("https://user:pw@example.com")).toBe(NO_SECRETS);
    expect(refusal("https://user@example.com")).toBe(NO_SECRETS);
    expect(refusal("https://example.com/?key=1")).toBe(NO_SECRETS);
    expect(refusal("https://example.com/#k")).toBe(NO_SECRETS);
    expect(refusal("file:///etc/passwd")).toBe("must be an http(s) URL");
    expect(ModelSettings.parse({ baseUrls: { gemini: "https://g.example.com" } })).toEqual({
      baseUrls: { gemini: "https://g.example.com" },
    });
    expect(ModelSettings.safeParse({ baseUrls: { mistral: "https://m.example.com" } }).success).toBe(false);
  });

  it("budgets are between 0 and 1 000 000 dollars", () => {
    expect(BudgetSettings.parse({ sessionUsd: 0, monthlyUsd: 1_000_000 })).toEqual({
      sessionUsd: 0,
      monthlyUsd: 1_000_000,
    });
    expect(BudgetSettings.safeParse({ sessionUsd: -0.01 }).success).toBe(false);
    expect(BudgetSettings.safeParse({ monthlyUsd: 1_000_000.01 }).success).toBe(false);
  });

  it("a session's usage report keeps every field", () => {
    const usage = {
      sessionId: "s1",
      calls: 2,
      costUsd: 0.5,
      byModel: [
        {
          provider: "anthropic",
          model: "claude-sonnet-4",
          calls: 2,
          costUsd: 0.5,
          inputTokens: 10,
          outputTokens: 20,
          cacheReadTokens: 1,
          cacheCreationTokens: 2,
        },
      ],
    };
    expect(SessionModelUsage.parse(usage)).toEqual(usage);
  });
});

describe("a model the price table does not know", () => {
  it("has no listed price, while the gateway still charges its family's flagship rate", () => {
    expect(listedPriceOf("openai", "fake-model")).toBeNull();
    expect(listedPriceOf("openai", "gpt-5.5")).toEqual(price(1.25, 10, 0.125, 1.25));
    expect(priceOf("openai", "fake-model")).toEqual(price(1.25, 10, 0.125, 1.25));
  });

  it("belongs to the provider its name's family names, or to none", () => {
    expect(providerOfModel("claude-sonnet-4-5")).toBe("anthropic");
    expect(providerOfModel("models/gemini-2.5-pro")).toBe("gemini");
    expect(providerOfModel("openai/gpt-5")).toBe("openai");
    expect(providerOfModel("o4-mini")).toBe("openai");
    expect(providerOfModel("fake-model")).toBeNull();
  });
});
