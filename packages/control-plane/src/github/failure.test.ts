/**
 * GitHub failures classified once: which answers are worth retrying (5xx, 429, rate-limited 403,
 * no answer at all) and which are refusals (every other 4xx), and the API error each becomes.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../http/app-error";
import { classifyStatus, GithubCallError, githubAppError, githubFailure } from "./failure";

/** What Octokit's RequestError looks like to us: a status, the response headers and GitHub's body. */
function octokitError(status: number, headers: Record<string, string> = {}, message = "Not Found") {
  return Object.assign(new Error(message), { status, response: { headers, data: { message } } });
}

describe("classifying GitHub failures", () => {
  it("treats 5xx, 429, 408 and no answer as transient", () => {
    for (const status of [500, 502, 503, 504, 429, 408, null])
      expect(classifyStatus(status), String(status)).toBe("transient");
  });

  it("treats other 4xx as permanent", () => {
    for (const status of [400, 401, 403, 404, 409, 410, 422])
      expect(classifyStatus(status), String(status)).toBe("permanent");
  });

  it("treats a 403 carrying rate-limit headers as transient, from Headers or Octokit's header record", () => {
    expect(classifyStatus(403, { "x-ratelimit-remaining": "0" })).toBe("transient");
    expect(classifyStatus(403, new Headers({ "retry-after": "60" }))).toBe("transient");
    expect(classifyStatus(403, { "x-ratelimit-remaining": "4999" })).toBe("permanent");
  });

  it("reads an Octokit error's status, headers and GitHub's message", () => {
    const limited = GithubCallError.from("comment", octokitError(403, { "x-ratelimit-remaining": "0" }));
    expect(limited).toMatchObject({ kind: "transient", status: 403 });
    const refused = GithubCallError.from("comment", octokitError(422, {}, "Validation Failed"));
    expect(refused).toMatchObject({ kind: "permanent", status: 422 });
    expect(refused.message).toBe("GitHub comment failed (422): Validation Failed");
  });

  it("reads a fetch Response", async () => {
    const res = new Response(JSON.stringify({ message: "Bad credentials" }), { status: 401 });
    const error = await GithubCallError.fromResponse("user lookup", res);
    expect(error).toMatchObject({ kind: "permanent", status: 401 });
    expect(error.message).toMatch(/Bad credentials/);
  });

  it("calls a network failure or a non-GitHub error transient", () => {
    expect(githubFailure(new TypeError("fetch failed"))).toMatchObject({ kind: "transient", status: null });
    expect(GithubCallError.from("x", new TypeError("fetch failed"))).toMatchObject({ kind: "transient" });
    expect(githubFailure(octokitError(404))).toMatchObject({ kind: "permanent", status: 404 });
  });
});

describe("the API error a GitHub failure becomes", () => {
  it("keeps GitHub's 4xx meaning for refusals", () => {
    const cases: [number, string, number][] = [
      [404, "not_found", 404],
      [410, "not_found", 404],
      [403, "forbidden", 403],
      [409, "conflict", 409],
      [422, "unprocessable", 422],
      [401, "upstream_failed", 502],
    ];
    for (const [github, code, status] of cases) {
      const error = githubAppError(new GithubCallError("repository lookup", github), "checking access");
      expect({ code: error.code, status: error.status }, String(github)).toEqual({ code, status });
      expect(error.message).toMatch(/^GitHub refused checking access/);
    }
  });

  it("says 'retry shortly' (503) only for transient failures", () => {
    for (const error of [new GithubCallError("x", 502), new GithubCallError("x", null), octokitError(429)]) {
      const app = githubAppError(error, "listing repositories");
      expect(app.status).toBe(503);
      expect(app.message).toMatch(/retry shortly/);
    }
  });

  it("passes an AppError through untouched", () => {
    const original = new AppError("forbidden", "no");
    expect(githubAppError(original, "x")).toBe(original);
  });
});
