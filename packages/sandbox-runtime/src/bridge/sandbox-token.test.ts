import { describe, expect, it } from "vitest";
import { SandboxToken } from "./sandbox-token";

describe("SandboxToken", () => {
  it("keeps the newest renewal and ignores one that expires no later (a replayed frame)", () => {
    const token = new SandboxToken("first-token");
    expect(token.current()).toBe("first-token");
    expect(token.expiresAt).toBeNull();
    const later = Date.now() + 3600_000;
    expect(token.renew("second-token", later)).toBe(true);
    expect(token.current()).toBe("second-token");
    expect(token.renew("older-token", later - 1000)).toBe(false);
    expect(token.renew("same-expiry", later)).toBe(false);
    expect(token.current()).toBe("second-token");
    expect(token.expiresAt).toBe(later);
  });

  it("takes each later renewal in turn", () => {
    const token = new SandboxToken("first-token");
    const t0 = Date.now();
    expect(token.renew("second-token", t0 + 60_000)).toBe(true);
    expect(token.renew("third-token", t0 + 120_000)).toBe(true);
    expect(token.current()).toBe("third-token");
    expect(token.expiresAt).toBe(t0 + 120_000);
  });
});
