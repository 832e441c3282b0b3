import { describe, expect, it } from "vitest";
import { listPriceCost, usageEvent } from "./usage-cost";

const tokens = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

describe("a turn's usage event", () => {
  it("keeps the cost the CLI reported", () => {
    expect(usageEvent(tokens, { model: "gpt-5", reportedCostUsd: 0.5 })).toMatchObject({ costUsd: 0.5 });
  });

  it("prices tokens at the model's list price when the CLI gives none", () => {
    // gpt-5: $1.25 in, $10 out per million.
    expect(usageEvent(tokens, { model: "gpt-5" })).toMatchObject({ costUsd: 11.25, model: "gpt-5" });
    // gemini-2.5-flash: $0.3 in, $2.5 out; cache reads at $0.075.
    expect(
      listPriceCost({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 2_000_000 }, "gemini-2.5-flash"),
    ).toBeCloseTo(0.15);
  });

  it("leaves the cost out for a model the table does not know, never $0", () => {
    const event = usageEvent({ inputTokens: 12, outputTokens: 7 }, { model: "fake-model" });
    expect(event).toMatchObject({ type: "usage", inputTokens: 12, outputTokens: 7 });
    expect(event).not.toHaveProperty("costUsd");
    expect(usageEvent({ inputTokens: 12, outputTokens: 7 }, {})).not.toHaveProperty("costUsd");
  });

  it("uses the adapter's provider over the name's family", () => {
    expect(listPriceCost(tokens, "claude-sonnet-4-5", "openai")).toBeUndefined();
    expect(listPriceCost(tokens, "claude-sonnet-4-5", "anthropic")).toBe(18);
  });

  it("emits nothing for a turn that used no tokens and cost nothing", () => {
    expect(usageEvent({ inputTokens: 0, outputTokens: 0 }, { model: "gpt-5" })).toBeNull();
  });
});
