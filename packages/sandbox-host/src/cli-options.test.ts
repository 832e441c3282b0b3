import { describe, expect, it } from "vitest";
import { parseCli } from "./cli-options";
import { parseHostOptions } from "./config";

describe("parseCli", () => {
  it("needs the shared secret from the environment", () => {
    const result = parseCli(["--port", "9000"], {});
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && result.message).toMatch(/NIGHTSHIFT_HOST_SECRET is not set/);
  });

  it("reads flags, falls back to the environment, and lets flags win", () => {
    const result = parseCli(
      ["--port", "9000", "--pass-env", "FOO", "--pass-env", "BAR,BAZ", "--keep", "--isolation", "process"],
      {
        NIGHTSHIFT_HOST_SECRET: "0123456789abcdef",
        NIGHTSHIFT_HOST_PORT: "1234",
        NIGHTSHIFT_REPOS_ROOT: "/repos",
        NIGHTSHIFT_PASS_ENV: "ENVVAR",
      },
    );
    expect(result.kind).toBe("options");
    if (result.kind !== "options") return;
    expect(result.options).toMatchObject({
      port: 9000,
      reposRoot: "/repos",
      passEnv: ["ENVVAR", "FOO", "BAR", "BAZ"],
      keep: true,
      isolation: "process",
    });
    const config = parseHostOptions(result.options);
    expect(config.ok && config.config.host).toBe("127.0.0.1");
  });

  it("explains unknown flags and bad numbers", () => {
    const env = { NIGHTSHIFT_HOST_SECRET: "0123456789abcdef" };
    expect(parseCli(["--bogus"], env)).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/bogus.*--help/),
    });
    expect(parseCli(["--port", "eighty"], env)).toMatchObject({
      kind: "error",
      message: "--port must be a whole number",
    });
    expect(parseCli(["--help"], {})).toEqual({ kind: "help" });
  });

  it("validates the options with messages that name them", () => {
    const bad = parseHostOptions({ secret: "short", isolation: "vm", dataDir: "relative" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join("\n")).toMatch(/NIGHTSHIFT_HOST_SECRET must be at least 16/);
    expect(!bad.ok && bad.problems.join("\n")).toMatch(/isolation/);
    expect(!bad.ok && bad.problems.join("\n")).toMatch(/--data-dir must be an absolute path/);
  });
});
