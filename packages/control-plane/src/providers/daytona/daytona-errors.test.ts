/** Every Daytona failure classified: the kind the launcher acts on, and words a user acts on. */
import { describe, expect, it } from "vitest";
import { SandboxProviderError } from "../provider";
import { DaytonaApiError } from "./daytona-client";
import { classifyDaytonaError } from "./daytona-errors";

const KEY = "dtn_secret_key_abcdef123456";
const TOKEN = "eyJ.bootstrap.token";
const context = {
  apiUrl: "https://app.daytona.io/api",
  snapshot: "nightshift-sandbox",
  secrets: [KEY, TOKEN],
};
const apiError = (
  status: number | null,
  detail: string,
  retryAfter: number | null = null,
  timedOut = false,
) => new DaytonaApiError("create the sandbox", status, detail, retryAfter, timedOut);

const TABLE: ReadonlyArray<[string, DaytonaApiError, SandboxProviderError["kind"], RegExp]> = [
  [
    "no answer",
    apiError(null, "the connection failed"),
    "transient",
    /cannot reach Daytona at https:\/\/app\.daytona\.io\/api.*DAYTONA_API_URL/,
  ],
  ["a timeout", apiError(null, "no answer", null, true), "transient", /did not answer within 30 s/],
  [
    "500",
    apiError(500, "Internal server error"),
    "transient",
    /Daytona failed to create the sandbox \(HTTP 500: Internal server error\); Nightshift will retry/,
  ],
  ["502", apiError(502, "Bad gateway"), "transient", /HTTP 502/],
  ["503", apiError(503, "Service unavailable"), "transient", /HTTP 503/],
  ["504", apiError(504, ""), "transient", /HTTP 504\)/],
  ["408", apiError(408, "Request timeout"), "transient", /HTTP 408/],
  [
    "409 (a state change in progress)",
    apiError(409, "Sandbox state change in progress"),
    "transient",
    /retry/,
  ],
  [
    "429",
    apiError(429, "Too many requests", 7),
    "capacity",
    /rate limiting Nightshift \(it asks to wait 7 s\)/,
  ],
  [
    "403 quota",
    apiError(403, "Total CPU quota exceeded. Maximum allowed: 10"),
    "capacity",
    /no room for another sandbox.*quota exceeded.*SANDBOX_SLOT_LIMIT/,
  ],
  ["400 no runners", apiError(400, "No available runners"), "capacity", /no room/],
  ["401", apiError(401, "Unauthorized"), "permanent", /refused the API key.*DAYTONA_API_KEY/],
  ["403", apiError(403, "Forbidden resource"), "permanent", /may not create the sandbox.*permissions/],
  [
    "400 missing snapshot",
    apiError(400, "Snapshot nightshift-sandbox not found"),
    "permanent",
    /no usable snapshot "nightshift-sandbox".*DAYTONA_SNAPSHOT/,
  ],
  [
    "404 missing snapshot",
    apiError(404, "Snapshot nightshift-sandbox not found"),
    "permanent",
    /DAYTONA_SNAPSHOT/,
  ],
  [
    "400 other",
    apiError(400, "name must be shorter than 63 characters"),
    "permanent",
    /refused to create the sandbox \(HTTP 400: name must be shorter/,
  ],
  ["422", apiError(422, "unprocessable"), "permanent", /HTTP 422/],
];

describe("classifyDaytonaError", () => {
  it.each(TABLE)("%s", (_what, error, kind, words) => {
    const classified = classifyDaytonaError(error, context);
    expect(classified).toBeInstanceOf(SandboxProviderError);
    expect(classified.kind).toBe(kind);
    expect(classified.message).toMatch(words);
  });

  it("cuts the API key and the bootstrap token out of what Daytona said, and caps it", () => {
    const echoed = apiError(500, `bad header Bearer ${KEY} with env ${TOKEN} ${"x".repeat(1000)}`);
    const { message } = classifyDaytonaError(echoed, context);
    expect(message).not.toContain(KEY);
    expect(message).not.toContain(TOKEN);
    expect(message).toContain("[redacted]");
    expect(message.length).toBeLessThan(500);
  });

  it("passes a provider error through and calls anything else transient without details", () => {
    const own = new SandboxProviderError("already classified", "permanent");
    expect(classifyDaytonaError(own, context)).toBe(own);
    const odd = classifyDaytonaError(new Error(`boom ${KEY}`), context);
    expect(odd.kind).toBe("transient");
    expect(odd.message).not.toContain(KEY);
  });
});
