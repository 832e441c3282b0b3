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

  it("gives each status its own code and what to do next", () => {
    const cases: [number | undefined, string, RegExp][] = [
      [401, "model_auth_failed", /rejected the key \(401\)\. Set ANTHROPIC_API_KEY/],
      [403, "model_forbidden", /refused this key access to the model \(403\)/],
      [404, "model_not_found", /does not know this model \(404\); check the session's model name/],
      [429, "model_rate_limited", /rate-limiting this key \(429\); wait/],
      [529, "model_overloaded", /overloaded \(529\)/],
      [500, "model_api_error", /^The model API failed \(500\); send the prompt again later\.$/],
      [503, "model_api_error", /failed \(503\)/],
      [499, "model_bad_request", /^The model API rejected the request \(499\)\.$/],
      [400, "model_bad_request", /rejected the request \(400\)/],
      [undefined, "model_unreachable", /^The model API could not be reached; check ANTHROPIC_BASE_URL/],
      [302, "model_unreachable", /could not be reached/],
    ];
    for (const [status, code, message] of cases) {
      const described = describeModelApiError(status === undefined ? { text: "" } : { status, text: "" });
      expect(described.code, String(status)).toBe(code);
      expect(described.message, String(status)).toMatch(message);
    }
  });

  it("names the variables of the API the CLI called (OpenAI, Gemini), Anthropic's by default", () => {
    expect(describeModelApiError({ provider: "openai", status: 401, text: "" }).message).toMatch(
      /Set OPENAI_API_KEY \(or the tenant's model key secret\)/,
    );
    expect(describeModelApiError({ provider: "openai", text: "" }).message).toMatch(/check OPENAI_BASE_URL/);
    expect(describeModelApiError({ provider: "gemini", status: 401, text: "" }).message).toMatch(
      /Set GEMINI_API_KEY/,
    );
    expect(describeModelApiError({ provider: "gemini", text: "" }).message).toMatch(
      /check GOOGLE_GEMINI_BASE_URL/,
    );
    expect(describeModelApiError({ status: 401, text: "" }).message).toMatch(/Set ANTHROPIC_API_KEY/);
  });

  it("treats the CLI's authentication_failed as a bad key even without a status", () => {
    expect(describeModelApiError({ kind: "authentication_failed", text: "" }).code).toBe("model_auth_failed");
    expect(describeModelApiError({ kind: "something_else", text: "" }).code).toBe("model_unreachable");
  });

  it("quotes the CLI's own words, trimmed, and adds nothing when it said nothing", () => {
    expect(describeModelApiError({ status: 500, text: "  upstream reset \n" }).message).toBe(
      'The model API failed (500); send the prompt again later. The CLI said: "upstream reset".',
    );
    expect(describeModelApiError({ status: 404, text: "   " }).message).not.toContain("CLI said");
    expect(describeModelApiError({ text: "ECONNREFUSED" }).message).toContain(
      'The CLI said: "ECONNREFUSED".',
    );
  });
});
