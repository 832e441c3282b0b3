/** The sandbox host's API contract: how a request is signed and what a create request may carry. */
import { describe, expect, it } from "vitest";
import {
  CreateSandboxRequest,
  EgressHostPattern,
  EgressPolicy,
  GithubSetupQuery,
  hostSigningString,
  RuntimeEnv,
  SandboxInfo,
  signHostRequest,
} from "./index.ts";

describe("request signing", () => {
  it("signs <timestamp>.<METHOD>.<path?query>.<body>, the method upper-cased", () => {
    expect(hostSigningString("1700000000", "post", "/v1/sandboxes?x=1", '{"a":1}')).toBe(
      '1700000000.POST./v1/sandboxes?x=1.{"a":1}',
    );
  });

  it("is HMAC-SHA256 of that string, as v1=<64 lowercase hex digits>", async () => {
    const signing = hostSigningString("1700000000", "DELETE", "/v1/sandboxes/s1", "");
    // Computed independently: printf '%s' "$signing" | openssl dgst -sha256 -hmac host-secret
    const expected = "4d7452742e5a9c97e9940098f7e5574e55fde3d82333bb616884442e829b1005";
    const signature = await signHostRequest("host-secret", signing);
    expect(signature).toBe(`v1=${expected}`);
    // A digest with a leading zero byte keeps its padding: always 64 digits.
    for (let i = 0; i < 40; i++) {
      const sig = await signHostRequest(`k${i}`, signing);
      expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    }
    expect(await signHostRequest("other-secret", signing)).not.toBe(signature);
  });
});

describe("egress host patterns", () => {
  it("accepts DNS names and *.wildcards with an optional port", () => {
    for (const good of ["registry.npmjs.org", "*.example.com", "a.io:443", "x-1.b2.dev:8080", "a.bc"])
      expect(EgressHostPattern.safeParse(good).success, good).toBe(true);
  });

  it("refuses IP literals, bare names, bad labels and junk around the name", () => {
    for (const bad of [
      "127.0.0.1",
      "localhost",
      "-a.example.com",
      "a-.example.com",
      "a_b.example.com",
      "*example.com",
      "**.example.com",
      "example.com:",
      "example.com:123456",
      "example.com:http",
      "x example.com",
      "example.com/",
      "example.c",
      "example.c0m",
      `${"a".repeat(64)}.com`,
    ])
      expect(EgressHostPattern.safeParse(bad).success, bad).toBe(false);
    expect(EgressHostPattern.safeParse(`${"a".repeat(63)}.com`).success).toBe(true);
    expect(EgressHostPattern.safeParse("x.").success).toBe(false);
  });

  it("says what a pattern should look like, and allows at most 100 and 253 characters", () => {
    const result = EgressHostPattern.safeParse("127.0.0.1");
    expect(result.error?.issues[0]?.message).toBe(
      "use a DNS name such as registry.npmjs.org or *.example.com, optionally with :port",
    );
    const long = `${Array.from({ length: 4 }, () => "a".repeat(62)).join(".")}.com`;
    expect(long.length).toBeGreaterThan(253);
    expect(EgressHostPattern.safeParse(long).success).toBe(false);
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
    expect(EgressPolicy.safeParse({ allowHosts: hosts(100) }).success).toBe(true);
    expect(EgressPolicy.safeParse({ allowHosts: hosts(101) }).success).toBe(false);
  });
});

describe("create requests", () => {
  const base = { sessionId: "s1", incarnation: "i1", repo: { kind: "local", path: "demo" }, env: {} };

  it("names a session and incarnation of 1 to 100 characters", () => {
    expect(CreateSandboxRequest.parse(base)).toEqual(base);
    for (const field of ["sessionId", "incarnation"]) {
      expect(CreateSandboxRequest.safeParse({ ...base, [field]: "" }).success).toBe(false);
      expect(CreateSandboxRequest.safeParse({ ...base, [field]: "x".repeat(100) }).success).toBe(true);
      expect(CreateSandboxRequest.safeParse({ ...base, [field]: "x".repeat(101) }).success).toBe(false);
    }
    expect(CreateSandboxRequest.safeParse({ ...base, extra: true }).success).toBe(false);
  });

  it("carries environment variables with upper-case names and values up to 64 KiB", () => {
    const env = (name: string, value = "v") => ({ ...base, env: { [name]: value } });
    expect(CreateSandboxRequest.safeParse(env("NIGHTSHIFT_BRANCH")).success).toBe(true);
    for (const bad of ["lower", "1ABC", "A-B", "A B", "XA-", "-XA"])
      expect(CreateSandboxRequest.safeParse(env(bad)).success, bad).toBe(false);
    expect(CreateSandboxRequest.safeParse(env("A", "v".repeat(64 * 1024))).success).toBe(true);
    expect(CreateSandboxRequest.safeParse(env("A", "v".repeat(64 * 1024 + 1))).success).toBe(false);
  });

  it("reports at most 10 warnings of at most 500 characters about a sandbox", () => {
    const info = {
      id: "sb",
      sessionId: "s1",
      incarnation: "i1",
      state: "running",
      isolation: "process",
      pid: null,
      exitCode: null,
      createdAt: "2026-12-04T00:00:00Z",
      endedAt: null,
    };
    expect(SandboxInfo.safeParse({ ...info, warnings: Array(10).fill("w".repeat(500)) }).success).toBe(true);
    expect(SandboxInfo.safeParse({ ...info, warnings: Array(11).fill("w") }).success).toBe(false);
    expect(SandboxInfo.safeParse({ ...info, warnings: ["w".repeat(501)] }).success).toBe(false);
  });
});

describe("the runtime's environment", () => {
  const env = {
    NIGHTSHIFT_SESSION_ID: "s1",
    NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:8787",
    NIGHTSHIFT_SANDBOX_TOKEN: "t".repeat(20),
    NIGHTSHIFT_REPO_URL: "http://127.0.0.1:8787/sandbox/git",
    NIGHTSHIFT_BRANCH: "nightshift/x",
    NIGHTSHIFT_AGENT: "claude-code",
    NIGHTSHIFT_WORKDIR: "/nightshift/work",
    NIGHTSHIFT_STATE_DIR: "/nightshift/state",
  };

  it("fills in the documented limits when they are absent", () => {
    expect(RuntimeEnv.parse(env)).toEqual({
      ...env,
      NIGHTSHIFT_MAX_TURNS: 50,
      NIGHTSHIFT_TURN_TIMEOUT_MS: 30 * 60_000,
      NIGHTSHIFT_HOOK_TIMEOUT_MS: 10 * 60_000,
      NIGHTSHIFT_BUFFER_MAX_BYTES: 64 * 1024 * 1024,
    });
    expect(RuntimeEnv.parse({ ...env, NIGHTSHIFT_MAX_TURNS: "7" }).NIGHTSHIFT_MAX_TURNS).toBe(7);
  });

  it("refuses a short token, a relative egress socket, a port out of range and a zero limit", () => {
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_SANDBOX_TOKEN: "t".repeat(19) }).success).toBe(false);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_CONTROL_PLANE_URL: "nope" }).success).toBe(false);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_EGRESS_SOCKET: "run/e.sock" }).success).toBe(false);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_EGRESS_SOCKET: "/run/e.sock" }).success).toBe(true);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_EGRESS_PORT: "0" }).success).toBe(false);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_EGRESS_PORT: "65535" }).success).toBe(true);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_EGRESS_PORT: "65536" }).success).toBe(false);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_MAX_TURNS: "0" }).success).toBe(false);
    for (const name of [
      "NIGHTSHIFT_SESSION_ID",
      "NIGHTSHIFT_REPO_URL",
      "NIGHTSHIFT_BRANCH",
      "NIGHTSHIFT_WORKDIR",
    ])
      expect(RuntimeEnv.safeParse({ ...env, [name]: "" }).success, name).toBe(false);
    expect(RuntimeEnv.safeParse({ ...env, NIGHTSHIFT_STATE_DIR: "" }).success).toBe(false);
  });

  it("a GitHub setup redirect without an installation id is an approval request", () => {
    expect(GithubSetupQuery.parse({ setup_action: "request" })).toEqual({ setup_action: "request" });
  });
});
