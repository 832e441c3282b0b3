/**
 * The session DO's exchange on its own (an in-memory meta table): one token, one environment,
 * even when two exchanges overlap while the secrets are being decrypted; spent tokens are pruned
 * once they could no longer be presented; a failed decryption fails the session.
 */
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import type { VerifiedBootstrap } from "../sandbox-auth/bootstrap-token";
import { sha256Hex } from "../secrets/encoding";
import { BootstrapExchange, type BootstrapExchangeConfig } from "./bootstrap-env";
import type { SessionMeta } from "./store";

const SECRET = "bootstrap-env-test-secret-0123456789abcdef";
const NOW = Date.UTC(2026, 11, 4, 20, 0, 0);

const session: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "t",
  repo: { kind: "local", path: "demo" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/t",
  createdBy: "u1",
  status: "running",
};

function claims(jti: string, expiresAt = NOW / 1000 + 900): VerifiedBootstrap {
  return { sessionId: "s1", tenantId: "t1", incarnation: "01jinc.abc", jti, expiresAt };
}

async function exchangeWith(overrides: Partial<BootstrapExchangeConfig> = {}) {
  const { meta, rows } = memoryMeta();
  meta.set("session.meta", session);
  const current = await sha256Hex("01jinc.abc");
  let now = NOW;
  const exchange = new BootstrapExchange({
    meta,
    isCurrentIncarnation: (hash) => hash === current,
    tokenSecret: SECRET,
    controlPlaneUrl: "http://127.0.0.1:8787",
    secrets: async () => ({ NPM_TOKEN: "npm-value" }),
    now: () => now,
    ...overrides,
  });
  const setNow = (ms: number) => {
    now = ms;
  };
  return { exchange, meta, rows, setNow };
}

describe("the session's bootstrap exchange", () => {
  it("two exchanges of one token overlapping while the secrets decrypt: exactly one gets the environment", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { exchange } = await exchangeWith({
      secrets: async () => {
        await gate;
        return { NPM_TOKEN: "npm-value" };
      },
    });
    const both = Promise.all([exchange.exchange(claims("j1")), exchange.exchange(claims("j1"))]);
    release();
    const results = await both;
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      expect.objectContaining({ ok: false, code: "bootstrap_token_used" }),
    ]);
  });

  it("keeps a spent token only until it expires, by hash", async () => {
    const { exchange, meta, setNow } = await exchangeWith();
    expect((await exchange.exchange(claims("j1", NOW / 1000 + 60))).ok).toBe(true);
    const spent = meta.get("bootstrap.spent") ?? {};
    expect(Object.keys(spent)).toEqual([await sha256Hex("j1")]);
    expect(JSON.stringify(spent)).not.toContain("j1");
    setNow(NOW + 61_000);
    expect((await exchange.exchange(claims("j2"))).ok).toBe(true);
    expect(Object.keys(meta.get("bootstrap.spent") ?? {})).toEqual([await sha256Hex("j2")]);
  });

  it("a secret that cannot be decrypted fails the session and spends nothing", async () => {
    const { exchange, meta } = await exchangeWith({
      secrets: () => Promise.reject(new Error("no key for kid k9")),
    });
    expect(await exchange.exchange(claims("j1"))).toEqual({
      ok: false,
      code: "internal",
      message: "could not decrypt the session's secrets: no key for kid k9",
      sessionFailure: "could not decrypt the session's secrets: no key for kid k9",
    });
    expect(meta.get("bootstrap.spent")).toBeNull();
  });
});
