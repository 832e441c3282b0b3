import { tmpdir } from "node:os";
import { join } from "node:path";
import { SANDBOX_HOST_MAX_SKEW_S } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { DEFAULT_RUNTIME_PATH, parseHostOptions } from "./config";
import { DEFAULT_EGRESS_ALLOW } from "./egress/default-allow";

const secret = "0123456789abcdef";

function problemsOf(input: unknown): string[] {
  const parsed = parseHostOptions(input);
  if (parsed.ok) throw new Error("expected the options to be refused");
  return parsed.problems;
}

describe("parseHostOptions", () => {
  it("settles every default a server host starts with", () => {
    const parsed = parseHostOptions({ secret });
    expect(parsed).toEqual({
      ok: true,
      config: {
        mode: "server",
        secret,
        host: "127.0.0.1",
        port: 8788,
        dataDir: join(tmpdir(), "nightshift-sandboxes"),
        runtimePath: DEFAULT_RUNTIME_PATH,
        nodePath: process.execPath,
        passEnv: [],
        keep: false,
        isolation: "auto",
        roBinds: [],
        egressAllow: [...DEFAULT_EGRESS_ALLOW],
        maxSandboxes: 20,
        snapshotMaxBytes: 5 * 1024 ** 3,
        killGraceMs: 5000,
        maxSkewS: SANDBOX_HOST_MAX_SKEW_S,
        maxBodyBytes: 1024 * 1024,
      },
    });
    expect(DEFAULT_RUNTIME_PATH).toMatch(/\/sandbox-runtime\/dist\/runtime\.mjs$/);
  });

  it("accepts a secret of exactly 16 characters and refuses 15", () => {
    expect(parseHostOptions({ secret }).ok).toBe(true);
    expect(problemsOf({ secret: secret.slice(1) })).toEqual([
      "secret: NIGHTSHIFT_HOST_SECRET must be at least 16 characters",
    ]);
  });

  it("refuses unisolated sandboxes and local repositories outside local mode", () => {
    expect(problemsOf({ secret, isolation: "process", reposRoot: "/repos" })).toEqual([
      "isolation: --isolation process runs sandboxes without any isolation and is allowed only with --mode local (a developer's machine)",
      "reposRoot: --repos-root serves a developer's local repositories and is allowed only with --mode local",
    ]);
    expect(
      parseHostOptions({ secret, mode: "local", isolation: "process", reposRoot: "/repos" }),
    ).toMatchObject({
      ok: true,
      config: { mode: "local", isolation: "process", reposRoot: "/repos" },
    });
    expect(parseHostOptions({ secret, isolation: "bubblewrap" }).ok).toBe(true);
  });

  it("names each path option that is not absolute", () => {
    expect(
      problemsOf({
        secret,
        mode: "local",
        reposRoot: "repos",
        runtimePath: "rt.mjs",
        nodePath: "node",
        roBinds: ["/ok", "x"],
      }),
    ).toEqual([
      "reposRoot: --repos-root must be an absolute path",
      "runtimePath: --runtime must be an absolute path",
      "nodePath: --node must be an absolute path",
      "roBinds.1: --ro-bind must be an absolute path",
    ]);
  });

  it("refuses pass-env entries that are not variable names", () => {
    const problems = problemsOf({ secret, passEnv: ["GOOD_NAME", "1BAD", "has-dash"] });
    expect(problems).toEqual([
      "passEnv.1: must be an environment variable name",
      "passEnv.2: must be an environment variable name",
    ]);
    expect(parseHostOptions({ secret, passEnv: ["_X9"] }).ok).toBe(true);
  });

  it("keeps the port and limits within range", () => {
    expect(parseHostOptions({ secret, port: 0 }).ok).toBe(true);
    expect(parseHostOptions({ secret, port: 65_535 }).ok).toBe(true);
    expect(problemsOf({ secret, port: 65_536 })[0]).toMatch(/^port: /);
    expect(problemsOf({ secret, port: -1 })[0]).toMatch(/^port: /);
    expect(problemsOf({ secret, maxSandboxes: 0 })[0]).toMatch(/^maxSandboxes: /);
    expect(parseHostOptions({ secret, killGraceMs: 0 }).ok).toBe(true);
    expect(problemsOf({ secret, killGraceMs: -1 })[0]).toMatch(/^killGraceMs: /);
    expect(problemsOf({ secret, maxSkewS: 0 })[0]).toMatch(/^maxSkewS: /);
    expect(problemsOf({ secret, maxBodyBytes: 0 })[0]).toMatch(/^maxBodyBytes: /);
    expect(problemsOf({ secret, host: "" })[0]).toMatch(/^host: /);
  });

  it("reports a problem with the whole input without a field name", () => {
    expect(problemsOf("not an object")).toHaveLength(1);
    expect(problemsOf("not an object")[0]).not.toMatch(/^: /);
  });
});
