import { describe, expect, it } from "vitest";
import { parseCli, USAGE } from "./cli-options";
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

  it("reads every flag into its option", () => {
    const result = parseCli(
      [
        "--host",
        "0.0.0.0",
        "--repos-root",
        "/flag-repos",
        "--data-dir",
        "/flag-data",
        "--runtime",
        "/opt/runtime.mjs",
        "--node",
        "/opt/node",
        "--sandbox-uid",
        "1500",
        "--ro-bind",
        "/opt/a",
        "--ro-bind",
        "/opt/b",
        "--max-sandboxes",
        "3",
        "--kill-grace-ms",
        "250",
        "--snapshot-max-bytes",
        "1048576",
      ],
      {
        NIGHTSHIFT_HOST_SECRET: "0123456789abcdef",
        NIGHTSHIFT_REPOS_ROOT: "/env-repos",
        NIGHTSHIFT_SANDBOX_DATA_DIR: "/env-data",
      },
    );
    expect(result).toEqual({
      kind: "options",
      options: {
        secret: "0123456789abcdef",
        host: "0.0.0.0",
        reposRoot: "/flag-repos",
        dataDir: "/flag-data",
        runtimePath: "/opt/runtime.mjs",
        nodePath: "/opt/node",
        passEnv: [],
        keep: false,
        sandboxUid: 1500,
        roBinds: ["/opt/a", "/opt/b"],
        maxSandboxes: 3,
        killGraceMs: 250,
        snapshotMaxBytes: 1048576,
      },
    });
  });

  it("leaves out what is given nowhere, so the defaults apply, and reads the data dir and port from the environment", () => {
    const env = { NIGHTSHIFT_HOST_SECRET: "0123456789abcdef" };
    expect(parseCli([], env)).toEqual({
      kind: "options",
      options: { secret: "0123456789abcdef", passEnv: [], keep: false, roBinds: [] },
    });
    expect(
      parseCli([], {
        ...env,
        NIGHTSHIFT_SANDBOX_DATA_DIR: "/env-data",
        NIGHTSHIFT_HOST_PORT: "7001",
        NIGHTSHIFT_PASS_ENV: " A , ,B",
      }),
    ).toMatchObject({ options: { dataDir: "/env-data", port: 7001, passEnv: ["A", "B"] } });
  });

  it("refuses a uid, a sandbox count or a grace period that is not a whole number, naming the flag", () => {
    const env = { NIGHTSHIFT_HOST_SECRET: "0123456789abcdef" };
    for (const flag of ["--sandbox-uid", "--max-sandboxes", "--kill-grace-ms", "--snapshot-max-bytes"]) {
      expect(parseCli([flag, "1.5"], env), flag).toEqual({
        kind: "error",
        message: `${flag} must be a whole number`,
      });
    }
    expect(parseCli(["--port"], env)).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/; see --help$/),
    });
    expect(parseCli(["stray"], env)).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/; see --help$/),
    });
  });

  it("says where the secret comes from when it is missing", () => {
    expect(parseCli([], { NIGHTSHIFT_HOST_SECRET: "" })).toEqual({
      kind: "error",
      message:
        "NIGHTSHIFT_HOST_SECRET is not set: export the secret the control plane signs its requests with (the same value as its SANDBOX_HOST_SECRET)",
    });
  });

  it("documents every flag in --help", () => {
    for (const flag of [
      "--mode",
      "--host",
      "--port",
      "--repos-root",
      "--data-dir",
      "--runtime",
      "--node",
      "--pass-env",
      "--isolation",
      "--sandbox-uid",
      "--ro-bind",
      "--egress-allow",
      "--max-sandboxes",
      "--kill-grace-ms",
      "--keep",
      "--help",
    ])
      expect(USAGE, flag).toContain(`  ${flag}`);
    expect(USAGE).toMatch(/^nightshift-sandbox-host: /);
  });
});
