import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_TABLE, ErrorBody, ErrorCode, errorCodeForStatus, errorStatus } from "./index.ts";

describe("the error table", () => {
  it("is total: every code the schemas accept has a status and a meaning", () => {
    expect(ErrorCode.options).toEqual(ERROR_CODES);
    for (const code of ErrorCode.options) {
      const entry = ERROR_TABLE[code];
      expect(entry, code).toBeDefined();
      expect(entry.meaning.length, code).toBeGreaterThan(10);
      expect(entry.status >= 400 && entry.status <= 599, code).toBe(true);
    }
  });

  it("gives each code the status clients rely on", () => {
    const expected: Record<ErrorCode, number> = {
      invalid_request: 400,
      invalid_json: 400,
      agent_unavailable: 400,
      invalid_frame: 400,
      unknown_frame: 400,
      unauthorized: 401,
      budget_exhausted: 402,
      forbidden: 403,
      not_found: 404,
      session_not_found: 404,
      conflict: 409,
      session_closed: 409,
      session_ended: 410,
      bootstrap_token_used: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      unprocessable: 422,
      upgrade_required: 426,
      rate_limited: 429,
      internal: 500,
      upstream_failed: 502,
      upstream_unavailable: 503,
      authorization_pending: 400,
      slow_down: 400,
      expired_token: 400,
      access_denied: 400,
    };
    expect(Object.fromEntries(ERROR_CODES.map((code) => [code, errorStatus(code)]))).toEqual(expected);
  });

  it("names a bare framework status with the table's first code for it", () => {
    expect(errorCodeForStatus(400)).toBe("invalid_request");
    expect(errorCodeForStatus(404)).toBe("not_found");
    expect(errorCodeForStatus(413)).toBe("payload_too_large");
    expect(errorCodeForStatus(415)).toBe("unsupported_media_type");
    expect(errorCodeForStatus(405)).toBe("invalid_request");
    expect(errorCodeForStatus(501)).toBe("internal");
  });

  it("error bodies accept the new codes and refuse unknown ones", () => {
    const body = (code: string) => ({ error: { code, message: "m" } });
    expect(ErrorBody.safeParse(body("session_ended")).success).toBe(true);
    expect(ErrorBody.safeParse(body("teapot")).success).toBe(false);
  });
});
