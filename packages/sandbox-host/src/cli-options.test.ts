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
      [
        "--port",
        "9000",
        "--pass-env",
        "FOO",
        "--pass-env",
        "BAR,BAZ",
        "--keep",
        "--isolation",
        "process",
        "--mode",
        "local",
      ],
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
      mode: "local",
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

  it("serves server mode unless told otherwise, and reads NIGHTSHIFT_MODE", () => {
    const env = { NIGHTSHIFT_HOST_SECRET: "0123456789abcdef" };
    const plain = parseCli([], env);
    const config = plain.kind === "options" ? parseHostOptions(plain.options) : null;
    expect(config?.ok && config.config.mode).toBe("server");
    expect(parseCli([], { ...env, NIGHTSHIFT_MODE: "local" })).toMatchObject({ options: { mode: "local" } });
    const bad = parseCli(["--mode", "cloud"], env);
    const badConfig = bad.kind === "options" ? parseHostOptions(bad.options) : null;
    expect(badConfig?.ok).toBe(false);
  });

  it("refuses --pass-env names that change how a loader or interpreter behaves", () => {
    for (const name of ["LD_PRELOAD", "NODE_OPTIONS", "PYTHONPATH"]) {
      const parsed = parseHostOptions({ secret: "0123456789abcdef", passEnv: [name] });
      expect(parsed.ok, name).toBe(false);
      expect(!parsed.ok && parsed.problems.join(" ")).toContain(`${name} changes how`);
    }
  });
});
