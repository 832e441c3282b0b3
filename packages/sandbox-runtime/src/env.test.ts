import { describe, expect, it } from "vitest";
import { parseRuntimeEnv, secretValuesOf } from "./env";

const valid = {
  NIGHTSHIFT_SESSION_ID: "ses_1",
  NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:8787",
  NIGHTSHIFT_SANDBOX_TOKEN: "a-token-that-is-long-enough",
  NIGHTSHIFT_REPO_URL: "/srv/repos/demo",
  NIGHTSHIFT_BRANCH: "nightshift/demo",
  NIGHTSHIFT_AGENT: "claude-code",
  NIGHTSHIFT_WORKDIR: "/sandbox/work",
  NIGHTSHIFT_STATE_DIR: "/sandbox/state",
};

describe("parseRuntimeEnv", () => {
  it("accepts a complete environment and fills the defaults", () => {
    const result = parseRuntimeEnv(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.env.NIGHTSHIFT_HOOK_TIMEOUT_MS).toBe(600_000);
    expect(result.env.NIGHTSHIFT_BUFFER_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(result.secretValues).toEqual([valid.NIGHTSHIFT_SANDBOX_TOKEN]);
  });

  it("names every missing variable on its own line", () => {
    const { NIGHTSHIFT_SESSION_ID: _a, NIGHTSHIFT_BRANCH: _b, NIGHTSHIFT_AGENT: _c, ...rest } = valid;
    const result = parseRuntimeEnv(rest);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(3);
    expect(result.problems[0]).toMatch(/^NIGHTSHIFT_SESSION_ID is missing/);
    expect(result.problems[1]).toMatch(/^NIGHTSHIFT_BRANCH is missing/);
    expect(result.problems[2]).toMatch(/^NIGHTSHIFT_AGENT is missing/);
  });

  it("explains bad values without printing them", () => {
    const result = parseRuntimeEnv({
      ...valid,
      NIGHTSHIFT_AGENT: "clippy",
      NIGHTSHIFT_SANDBOX_TOKEN: "short-secret",
      NIGHTSHIFT_HOOK_TIMEOUT_MS: "-5",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join("\n");
    expect(text).toMatch(/NIGHTSHIFT_AGENT is invalid: expected one of claude-code, codex/);
    expect(text).toMatch(/NIGHTSHIFT_SANDBOX_TOKEN is invalid/);
    expect(text).toMatch(/NIGHTSHIFT_HOOK_TIMEOUT_MS is invalid/);
    expect(text).not.toContain("short-secret");
    expect(text).not.toContain("clippy");
  });

  it("refuses a non-http control plane and relative directories", () => {
    const result = parseRuntimeEnv({
      ...valid,
      NIGHTSHIFT_CONTROL_PLANE_URL: "ftp://x",
      NIGHTSHIFT_WORKDIR: "work",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain(
      "NIGHTSHIFT_CONTROL_PLANE_URL is invalid: must be an http:// or https:// URL",
    );
    expect(result.problems).toContain("NIGHTSHIFT_WORKDIR is invalid: must be an absolute path");
  });

  it("collects the values of the named secrets that are set", () => {
    const result = parseRuntimeEnv({
      ...valid,
      NIGHTSHIFT_SECRET_NAMES: "API_KEY, DB_PASSWORD,UNSET",
      API_KEY: "sk-123456",
      DB_PASSWORD: "hunter2hunter2",
    });
    expect(result.ok && result.secretValues.sort()).toEqual(
      [valid.NIGHTSHIFT_SANDBOX_TOKEN, "hunter2hunter2", "sk-123456"].sort(),
    );
  });

  it("accepts an https control plane and refuses a relative state dir", () => {
    expect(parseRuntimeEnv({ ...valid, NIGHTSHIFT_CONTROL_PLANE_URL: "https://cp.example.com" }).ok).toBe(
      true,
    );
    expect(parseRuntimeEnv({ ...valid, NIGHTSHIFT_STATE_DIR: "state" })).toEqual({
      ok: false,
      problems: ["NIGHTSHIFT_STATE_DIR is invalid: must be an absolute path"],
    });
  });

  it("says how a missing variable is normally set", () => {
    const { NIGHTSHIFT_WORKDIR: _w, ...rest } = valid;
    expect(parseRuntimeEnv(rest)).toEqual({
      ok: false,
      problems: [
        "NIGHTSHIFT_WORKDIR is missing: set it in the sandbox environment (the sandbox provider normally does)",
      ],
    });
  });

  it("masks the token first and each set secret once, skipping blank names and empty values", () => {
    const result = parseRuntimeEnv({
      ...valid,
      NIGHTSHIFT_SECRET_NAMES: " ,B_KEY,,A_KEY, B_KEY ,EMPTY,TOKEN_COPY",
      A_KEY: "value-a-123",
      B_KEY: "value-b-456",
      EMPTY: "",
      TOKEN_COPY: valid.NIGHTSHIFT_SANDBOX_TOKEN,
    });
    expect(result.ok && result.secretValues).toEqual([
      valid.NIGHTSHIFT_SANDBOX_TOKEN,
      "value-b-456",
      "value-a-123",
    ]);
  });

  it("reads secret names from the parsed environment and values from the source", () => {
    const parsed = parseRuntimeEnv(valid);
    if (!parsed.ok) throw new Error("expected a valid environment");
    expect(secretValuesOf({ ...parsed.env, NIGHTSHIFT_SECRET_NAMES: "X" }, { X: "from-the-source" })).toEqual(
      [valid.NIGHTSHIFT_SANDBOX_TOKEN, "from-the-source"],
    );
    expect(secretValuesOf({ ...parsed.env, NIGHTSHIFT_SECRET_NAMES: undefined }, { X: "x-value" })).toEqual([
      valid.NIGHTSHIFT_SANDBOX_TOKEN,
    ]);
  });
});
