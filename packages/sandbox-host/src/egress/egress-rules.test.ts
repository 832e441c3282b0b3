import { describe, expect, it } from "vitest";
import { buildEgressRules, decide, endpointOf, formatEndpoint, isSandboxRoute } from "./egress-policy";

const CONTROL_PLANE = "http://127.0.0.1:8787";

describe("endpoints", () => {
  it("takes the URL's port, else 443 for https and wss, else 80", () => {
    expect(endpointOf(new URL("https://api.example.com"))).toEqual({ host: "api.example.com", port: 443 });
    expect(endpointOf(new URL("wss://api.example.com/x"))).toEqual({ host: "api.example.com", port: 443 });
    expect(endpointOf(new URL("http://api.example.com"))).toEqual({ host: "api.example.com", port: 80 });
    expect(endpointOf(new URL("ws://api.example.com"))).toEqual({ host: "api.example.com", port: 80 });
    expect(endpointOf(new URL("https://api.example.com:8443"))).toEqual({
      host: "api.example.com",
      port: 8443,
    });
  });

  it("lower-cases the host and unwraps an IPv6 literal, and brackets it again for people", () => {
    expect(endpointOf(new URL("http://API.Example.COM:81"))).toEqual({ host: "api.example.com", port: 81 });
    const v6 = endpointOf(new URL("http://[::1]:7000"));
    expect(v6).toEqual({ host: "::1", port: 7000 });
    expect(formatEndpoint(v6)).toBe("[::1]:7000");
    expect(formatEndpoint({ host: "api.example.com", port: 443 })).toBe("api.example.com:443");
  });
});

describe("egress rules from the host's forwarded variables", () => {
  it("opens a provider's public host for any of its keys, and only for a key that is set", () => {
    const rules = buildEgressRules({
      controlPlaneUrl: CONTROL_PLANE,
      hostEnv: { ANTHROPIC_AUTH_TOKEN: "t", GEMINI_API_KEY: "g", OPENAI_API_KEY: "" },
      patterns: [],
    });
    expect(rules.publicApis).toEqual([
      { host: "api.anthropic.com", port: 443 },
      { host: "generativelanguage.googleapis.com", port: 443 },
    ]);
    expect(rules.trusted).toEqual([]);
    expect(decide(rules, { host: "api.openai.com", port: 443 }, "connect")).toMatchObject({ allow: false });
  });

  it("trusts each configured base URL instead of its provider's public host", () => {
    const rules = buildEgressRules({
      controlPlaneUrl: CONTROL_PLANE,
      hostEnv: {
        OPENAI_BASE_URL: "http://10.0.0.7:4000/v1",
        OPENAI_API_KEY: "k",
        GOOGLE_GEMINI_BASE_URL: "https://gemini.internal",
      },
      patterns: [],
    });
    expect(rules.trusted).toEqual([
      { host: "10.0.0.7", port: 4000 },
      { host: "gemini.internal", port: 443 },
    ]);
    expect(rules.publicApis).toEqual([]);
  });

  it("ignores a base URL that does not parse, falling back to the key's public host", () => {
    const rules = buildEgressRules({
      controlPlaneUrl: CONTROL_PLANE,
      hostEnv: { ANTHROPIC_BASE_URL: "not a url", ANTHROPIC_API_KEY: "k" },
      patterns: [],
    });
    expect(rules.trusted).toEqual([]);
    expect(rules.publicApis).toEqual([{ host: "api.anthropic.com", port: 443 }]);
  });

  it("keeps each pattern once, in lower case", () => {
    const rules = buildEgressRules({
      controlPlaneUrl: CONTROL_PLANE,
      hostEnv: {},
      patterns: ["Registry.NPMJS.org", "registry.npmjs.org", "*.PyPI.org"],
    });
    expect(rules.patterns).toEqual(["registry.npmjs.org", "*.pypi.org"]);
    expect(decide(rules, { host: "files.pypi.org", port: 443 }, "connect")).toEqual({
      allow: true,
      trusted: false,
    });
  });

  it("keeps the control plane's origin and strips trailing slashes from its base path", () => {
    const rules = buildEgressRules({
      controlPlaneUrl: "https://cp.example.com//",
      hostEnv: {},
      patterns: [],
    });
    expect(rules.controlPlane).toEqual({
      endpoint: { host: "cp.example.com", port: 443 },
      origin: "https://cp.example.com",
      basePath: "",
    });
    expect(isSandboxRoute(rules, "/sandbox/connect")).toBe(true);
  });
});

describe("egress decisions, wording and edges", () => {
  const rules = buildEgressRules({
    controlPlaneUrl: CONTROL_PLANE,
    hostEnv: {},
    patterns: ["*.example.com", "plain.example.org:8080"],
  });

  it("explains each refusal", () => {
    expect(decide(rules, { host: "127.0.0.1", port: 8787 }, "connect")).toEqual({
      allow: false,
      reason: "the control plane is reachable only at its /sandbox/ routes, not through a tunnel",
    });
    expect(decide(rules, { host: "evil.test", port: 443 }, "connect")).toEqual({
      allow: false,
      reason: "not on this sandbox's egress allowlist",
    });
  });

  it("a wildcard needs a name before its suffix, and a pattern's port applies to both kinds", () => {
    expect(decide(rules, { host: ".example.com", port: 443 }, "connect")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "a.example.com", port: 80 }, "http")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "a.example.com", port: 443 }, "http")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "plain.example.org", port: 8080 }, "http")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "plain.example.org", port: 8080 }, "connect")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "plain.example.org", port: 80 }, "http")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "x.plain.example.org", port: 8080 }, "http")).toMatchObject({
      allow: false,
    });
  });

  it("judges a sandbox route by its path only, and refuses single dots and backslashes too", () => {
    expect(isSandboxRoute(rules, "/sandbox/connect?next=/auth/../x")).toBe(true);
    expect(isSandboxRoute(rules, "/auth/dev-login?/sandbox/connect")).toBe(false);
    for (const path of [
      "/sandbox/./connect",
      "/sandbox/.",
      "/sandbox/..",
      "/sandbox/%2E%2E/auth",
      "/sandbox/x%2Fy",
      "/sandbox/%5c..",
      "/sandbox/\\..\\auth",
    ])
      expect(isSandboxRoute(rules, path), path).toBe(false);
    expect(isSandboxRoute(rules, "/sandbox/git/a..b.git")).toBe(true);
    expect(isSandboxRoute(rules, "/sandbox/.well-known")).toBe(true);
  });
});
