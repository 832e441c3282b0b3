import { describe, expect, it } from "vitest";
import {
  ModelSettings,
  modelAccountHint,
  modelAccountProblem,
  PutModelAccountRequest,
  PutTenantModelAccountRequest,
} from "./index.ts";

describe("model account requests", () => {
  it("trim a pasted value and default to an API key", () => {
    expect(PutModelAccountRequest.parse({ value: "  sk-proj-abcdefgh\n" })).toEqual({
      kind: "api_key",
      value: "sk-proj-abcdefgh",
    });
  });

  it("refuse values that would break or smuggle an HTTP header, without quoting them", () => {
    for (const value of [
      "sk-ant-api03 with space",
      "sk-ant-api03\r\nx-evil: 1",
      "sk-ant-ä-unicode-1234",
      "short",
    ]) {
      const parsed = PutModelAccountRequest.safeParse({ value });
      expect(parsed.success, value).toBe(false);
      expect(JSON.stringify(parsed.error?.issues)).not.toContain(value);
    }
  });

  it("keep subscription tokens personal and Anthropic's", () => {
    expect(
      PutTenantModelAccountRequest.safeParse({ kind: "subscription_token", value: "sk-ant-oat01-abcdefgh" })
        .success,
    ).toBe(false);
    expect(modelAccountProblem("gemini", "subscription_token", "sk-ant-oat01-abcdefgh")).toMatch(
      /only accepted for anthropic/,
    );
    expect(modelAccountProblem("anthropic", "subscription_token", "sk-ant-api03-abcdefgh")).toMatch(
      /claude setup-token/,
    );
    expect(modelAccountProblem("anthropic", "api_key", "sk-ant-oat01-abcdefgh")).toMatch(
      /subscription_token/,
    );
    expect(modelAccountProblem("anthropic", "subscription_token", "sk-ant-oat01-abcdefgh")).toBeNull();
    expect(modelAccountProblem("openai", "api_key", "sk-proj-abcdefgh")).toBeNull();
  });

  it("show only the last four characters, and nothing of a short value", () => {
    expect(modelAccountHint("sk-ant-api03-0123456789abcd")).toBe("…abcd");
    expect(modelAccountHint("short-value-123")).toBe("…");
  });
});

describe("a base URL that is not a URL", () => {
  it("is refused with words instead of throwing out of the parse", () => {
    const parsed = ModelSettings.safeParse({ baseUrls: { openai: "not a url" } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("must be an http(s) URL");
  });
});
