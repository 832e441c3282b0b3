/** What a failed model call tells the person watching, for the statuses the gateway and providers use. */
import { describe, expect, it } from "vitest";
import { describeModelApiError } from "./model-api-errors";

describe("describeModelApiError", () => {
  it("names an exhausted gateway budget (402) and keeps the gateway's own words", () => {
    const described = describeModelApiError({
      status: 402,
      text: "Nightshift budget exhausted: this session has spent $1.00 of its $1.00 model budget.",
    });
    expect(described.code).toBe("model_budget_exhausted");
    expect(described.message).toMatch(/budget is used up/);
    expect(described.message).toContain("this session has spent $1.00");
  });

  it("still tells a bad key (401) and a rate limit (429) apart", () => {
    expect(describeModelApiError({ status: 401, text: "" }).code).toBe("model_auth_failed");
    expect(describeModelApiError({ status: 429, text: "" }).code).toBe("model_rate_limited");
  });
});
