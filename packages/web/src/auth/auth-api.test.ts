import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { devLogin, githubLoginUrl, isAdmin, isLoopbackHost, loginFromName } from "./auth-api";

afterEach(() => vi.unstubAllGlobals());

describe("loginFromName", () => {
  it("makes a GitHub-style login from a display name", () => {
    expect(loginFromName("Ada Lovelace")).toBe("ada-lovelace");
    expect(loginFromName("  José  Núñez ")).toBe("jose-nunez");
    expect(loginFromName("R2-D2 / C3PO!")).toBe("r2-d2-c3po");
    expect(loginFromName("--x--")).toBe("x");
  });

  it("keeps a login within GitHub's 39 characters without a trailing dash", () => {
    const long = loginFromName(`${"a".repeat(38)} b${"c".repeat(10)}`);
    expect(long).toBe("a".repeat(38));
    expect(loginFromName("b".repeat(50))).toHaveLength(39);
  });

  it("falls back to dev when nothing usable is left", () => {
    expect(loginFromName("!!!")).toBe("dev");
    expect(loginFromName("")).toBe("dev");
  });
});

describe("devLogin", () => {
  it("signs in as the local owner without a name, and as a named developer with one", async () => {
    const calls = routeFetch({ "POST /auth/dev-login": () => json({}) });
    await devLogin("   ");
    await devLogin("  Grace Hopper ");
    expect(calls.map((c) => c.body)).toEqual([{}, { login: "grace-hopper", name: "Grace Hopper" }]);
  });
});

describe("githubLoginUrl", () => {
  it("returns to a same-site path and nowhere else", () => {
    expect(githubLoginUrl("/sessions/s1?tab=log")).toBe(
      `/auth/github/login?redirect=${encodeURIComponent("/sessions/s1?tab=log")}`,
    );
    expect(githubLoginUrl("//evil.example/x")).toBe("/auth/github/login?redirect=%2F");
    expect(githubLoginUrl("https://evil.example/")).toBe("/auth/github/login?redirect=%2F");
  });
});

describe("isLoopbackHost", () => {
  it("accepts only this machine's names", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["nightshift.example", "10.127.0.1", "localhost.evil.example", "128.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe("isAdmin", () => {
  it("is true for owners and admins only", () => {
    expect(isAdmin("owner")).toBe(true);
    expect(isAdmin("admin")).toBe(true);
    expect(isAdmin("member")).toBe(false);
    expect(isAdmin(undefined)).toBe(false);
  });
});
