/**
 * Bootstrap tokens on their own: they live 15 minutes, name their session, tenant and incarnation,
 * and are never interchangeable with sandbox tokens in either direction.
 */
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  BOOTSTRAP_TOKEN_TTL_SECONDS,
  type BootstrapClaims,
  mintBootstrapToken,
  verifyBootstrapToken,
} from "./bootstrap-token";
import { mintSandboxToken, verifySandboxToken } from "./token";

const SECRET = "bootstrap-token-test-secret-0123456789abcdef";
const claims: BootstrapClaims = {
  sessionId: "ses-1",
  tenantId: "ten-1",
  incarnation: "01jinc.5b3c",
  jti: "boot-1",
};

describe("bootstrap tokens", () => {
  it("live 15 minutes and carry the session, tenant, incarnation and their own id", async () => {
    const now = Date.UTC(2026, 11, 4, 19, 0, 0);
    const { token, expiresAt } = await mintBootstrapToken(SECRET, claims, now);
    expect(BOOTSTRAP_TOKEN_TTL_SECONDS).toBe(900);
    expect(expiresAt).toBe(now / 1000 + 900);
    expect(decodeProtectedHeader(token).typ).toBe("nightshift-bootstrap+jwt");
    expect(decodeJwt(token)).toMatchObject({ aud: "sandbox-bootstrap", sub: "ses-1", tenant: "ten-1" });
    expect(await verifyBootstrapToken(SECRET, token, now + 899_000)).toEqual({
      ok: true,
      claims: { ...claims, expiresAt },
    });
  });

  it("an expired bootstrap token is refused", async () => {
    const now = Date.now();
    const { token } = await mintBootstrapToken(SECRET, claims, now);
    const late = await verifyBootstrapToken(SECRET, token, now + 901_000);
    expect(late).toEqual({ ok: false, reason: "bootstrap token has expired" });
  });

  it("a sandbox token presented as a bootstrap token is refused", async () => {
    const sandbox = await mintSandboxToken(
      SECRET,
      { sessionId: claims.sessionId, tenantId: claims.tenantId, jti: claims.incarnation },
      600,
    );
    const result = await verifyBootstrapToken(SECRET, sandbox);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(/^this is not a bootstrap token/);
  });

  it("a token of the bootstrap type signed for another audience is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ tenant: claims.tenantId, inc: claims.incarnation })
      .setProtectedHeader({ alg: "HS256", typ: "nightshift-bootstrap+jwt" })
      .setIssuer("nightshift")
      .setAudience("sandbox")
      .setSubject(claims.sessionId)
      .setJti("boot-forged")
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifyBootstrapToken(SECRET, forged)).toEqual({
      ok: false,
      reason: "this is not a bootstrap token (its aud is wrong)",
    });
  });

  it("a bootstrap token presented as a sandbox token is refused", async () => {
    const { token } = await mintBootstrapToken(SECRET, claims, Date.now());
    expect(await verifySandboxToken(SECRET, token)).toEqual({
      ok: false,
      reason: "sandbox token aud is wrong",
    });
  });

  it("a bootstrap token signed with another secret, or altered, is refused", async () => {
    const { token } = await mintBootstrapToken(`${SECRET}-other`, claims, Date.now());
    expect(await verifyBootstrapToken(SECRET, token)).toEqual({
      ok: false,
      reason: "bootstrap token is invalid",
    });
    const [header, , signature] = (await mintBootstrapToken(SECRET, claims, Date.now())).token.split(".");
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: "ses-2" })).toString("base64url");
    expect((await verifyBootstrapToken(SECRET, `${header}.${payload}.${signature}`)).ok).toBe(false);
  });
});
