import { describe, expect, it } from "vitest";
import { buildEgressRules, decide, isSandboxRoute } from "./egress-policy";
import { isForbiddenAddress, isNeverReachable } from "./forbidden-addresses";
import { resolveTarget } from "./resolve-target";

const rules = buildEgressRules({
  controlPlaneUrl: "http://127.0.0.1:8787",
  hostEnv: { ANTHROPIC_BASE_URL: "http://127.0.0.1:7000/v1", OPENAI_API_KEY: "sk-forwarded" },
  patterns: ["registry.npmjs.org", "*.example.com:8443"],
});

describe("forbidden addresses", () => {
  it("refuses loopback, link-local (metadata), private, CGNAT and IPv6 forms that embed IPv4", () => {
    for (const address of [
      "127.0.0.1",
      "127.8.9.1",
      "0.0.0.0",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "100.64.0.1",
      "169.254.169.254",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "fc00::1",
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::1",
      "224.0.0.1",
      "not-an-ip",
    ])
      expect(isForbiddenAddress(address), address).toBe(true);
  });

  it("allows public unicast addresses", () => {
    for (const address of ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700::1111"])
      expect(isForbiddenAddress(address), address).toBe(false);
  });

  it("never lets even a configured endpoint use link-local or the unspecified address", () => {
    for (const address of ["169.254.169.254", "fe80::1", "::ffff:169.254.169.254", "0.0.0.0", "::"])
      expect(isNeverReachable(address), address).toBe(true);
    expect(isNeverReachable("127.0.0.1")).toBe(false);
    expect(isNeverReachable("10.0.0.5")).toBe(false);
  });
});

describe("egress decisions", () => {
  it("lets the control plane be reached only by plain HTTP, never a tunnel", () => {
    expect(decide(rules, { host: "127.0.0.1", port: 8787 }, "http")).toEqual({ allow: "control-plane" });
    expect(decide(rules, { host: "127.0.0.1", port: 8787 }, "connect")).toMatchObject({ allow: false });
  });

  it("allows the session's own endpoints at their exact host:port only", () => {
    expect(decide(rules, { host: "127.0.0.1", port: 7000 }, "http")).toEqual({ allow: true, trusted: true });
    expect(decide(rules, { host: "127.0.0.1", port: 7001 }, "http")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "localhost", port: 7000 }, "http")).toMatchObject({ allow: false });
    // A provider whose key is forwarded (direct mode) reaches its public API host, at public
    // addresses only; a forwarded base URL replaces its provider's public host.
    expect(decide(rules, { host: "api.openai.com", port: 443 }, "connect")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "api.anthropic.com", port: 443 }, "connect")).toMatchObject({
      allow: false,
    });
  });

  it("a sandbox that forwards no model variable cannot reach any model API directly (only the gateway)", () => {
    const gatewayOnly = buildEgressRules({
      controlPlaneUrl: "http://127.0.0.1:8787",
      hostEnv: {},
      patterns: [],
    });
    for (const host of ["api.anthropic.com", "api.openai.com", "generativelanguage.googleapis.com"]) {
      expect(decide(gatewayOnly, { host, port: 443 }, "connect")).toMatchObject({ allow: false });
    }
    expect(gatewayOnly.trusted).toEqual([]);
    expect(decide(gatewayOnly, { host: "127.0.0.1", port: 8787 }, "http")).toEqual({
      allow: "control-plane",
    });
  });

  it("matches patterns by name and port (443 for CONNECT, 80 for HTTP when absent)", () => {
    expect(decide(rules, { host: "registry.npmjs.org", port: 443 }, "connect")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "registry.npmjs.org", port: 80 }, "http")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "registry.npmjs.org", port: 22 }, "connect")).toMatchObject({
      allow: false,
    });
    expect(decide(rules, { host: "a.b.example.com", port: 8443 }, "connect")).toEqual({
      allow: true,
      trusted: false,
    });
    expect(decide(rules, { host: "example.com", port: 8443 }, "connect")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "evilexample.com", port: 8443 }, "connect")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "registry.npmjs.org.evil.com", port: 443 }, "connect")).toMatchObject({
      allow: false,
    });
  });

  it("the git host is never on a sandbox's egress list: git goes through the control plane's proxy", () => {
    expect(decide(rules, { host: "127.0.0.1", port: 9000 }, "http")).toMatchObject({ allow: false });
    expect(decide(rules, { host: "github.com", port: 443 }, "connect")).toMatchObject({ allow: false });
  });

  it("treats the control plane's sandbox routes as a prefix, refusing dot segments and encoded slashes", () => {
    expect(isSandboxRoute(rules, "/sandbox/connect")).toBe(true);
    expect(isSandboxRoute(rules, "/sandbox/git/github/acme/app.git/info/refs?service=git-upload-pack")).toBe(
      true,
    );
    expect(isSandboxRoute(rules, "/sandbox/model/v1/messages")).toBe(true);
    for (const path of [
      "/auth/dev-login",
      "/api/tenants",
      "/webhooks/github",
      "/sandbox",
      "/sandboxes/x",
      "/sandbox/../auth/dev-login",
      "/sandbox/%2e%2e/auth/dev-login",
      "/sandbox/..%2fauth",
      "/",
    ])
      expect(isSandboxRoute(rules, path), path).toBe(false);
  });

  it("keeps a control plane's base path in the prefix", () => {
    const based = buildEgressRules({
      controlPlaneUrl: "https://ns.example.com/nightshift/",
      hostEnv: {},
      patterns: [],
    });
    expect(based.controlPlane.endpoint).toEqual({ host: "ns.example.com", port: 443 });
    expect(isSandboxRoute(based, "/nightshift/sandbox/connect")).toBe(true);
    expect(isSandboxRoute(based, "/sandbox/connect")).toBe(false);
  });
});

describe("resolution (DNS rebinding)", () => {
  it("pins a pattern host to the public address it checked, skipping forbidden ones", async () => {
    const lookup = async () => ["127.0.0.1", "10.0.0.1", "93.184.216.34"];
    expect(await resolveTarget(lookup, "mixed.example.com", false)).toEqual({
      ok: true,
      address: "93.184.216.34",
    });
  });

  it("refuses a pattern host whose every address is forbidden, naming the first", async () => {
    const lookup = async () => ["169.254.169.254", "10.0.0.1"];
    expect(await resolveTarget(lookup, "meta.example.com", false)).toEqual({
      ok: false,
      reason: "meta.example.com resolves to 169.254.169.254, a link-local address (cloud metadata service)",
    });
  });

  it("lets a configured endpoint resolve to loopback, never to the metadata service", async () => {
    expect(await resolveTarget(async () => ["127.0.0.1"], "model.local", true)).toEqual({
      ok: true,
      address: "127.0.0.1",
    });
    expect(await resolveTarget(async () => ["169.254.169.254"], "model.local", true)).toMatchObject({
      ok: false,
    });
  });

  it("reports a name that does not resolve", async () => {
    const lookup = async () => {
      throw Object.assign(new Error("nope"), { code: "ENOTFOUND" });
    };
    expect(await resolveTarget(lookup, "nowhere.example.com", false)).toEqual({
      ok: false,
      reason: "cannot resolve nowhere.example.com (ENOTFOUND)",
    });
  });

  it("tells loopback, private and unparseable addresses apart in the refusal", async () => {
    const refusal = async (addresses: string[]) =>
      resolveTarget(async () => addresses, "h.example.com", false);
    expect(await refusal(["127.0.0.1"])).toEqual({
      ok: false,
      reason: "h.example.com resolves to 127.0.0.1, a loopback address (this host)",
    });
    expect(await refusal(["::1"])).toMatchObject({
      reason: expect.stringMatching(/a loopback address \(this host\)$/),
    });
    expect(await refusal(["10.0.0.1", "127.0.0.1"])).toEqual({
      ok: false,
      reason: "h.example.com resolves to 10.0.0.1, a private or reserved address",
    });
    expect(await refusal(["fe80::1"])).toMatchObject({
      reason: expect.stringMatching(/a link-local address \(cloud metadata service\)$/),
    });
    expect(await refusal(["::"])).toMatchObject({ reason: expect.stringMatching(/link-local/) });
    expect(await refusal(["bogus"])).toEqual({
      ok: false,
      reason: "h.example.com resolves to bogus, not an IP address",
    });
  });

  it("refuses a name that resolves to no address at all", async () => {
    expect(await resolveTarget(async () => [], "empty.example.com", false)).toEqual({
      ok: false,
      reason: "cannot resolve empty.example.com",
    });
    expect(await resolveTarget(async () => [], "empty.example.com", true)).toEqual({
      ok: false,
      reason: "cannot resolve empty.example.com",
    });
  });

  it("takes a literal IP address as it is, without a lookup", async () => {
    const lookup = async (): Promise<string[]> => {
      throw new Error("looked up an IP literal");
    };
    expect(await resolveTarget(lookup, "93.184.216.34", false)).toEqual({
      ok: true,
      address: "93.184.216.34",
    });
    expect(await resolveTarget(lookup, "127.0.0.1", false)).toEqual({
      ok: false,
      reason: "127.0.0.1 resolves to 127.0.0.1, a loopback address (this host)",
    });
  });

  it("names a failed lookup even when the error carries no code", async () => {
    const lookup = async (): Promise<string[]> => {
      throw new Error("resolver gone");
    };
    expect(await resolveTarget(lookup, "x.example.com", false)).toEqual({
      ok: false,
      reason: "cannot resolve x.example.com (lookup failed)",
    });
  });
});
