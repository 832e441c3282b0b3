/**
 * Sandbox tokens live an hour at most and are renewed over the bridge while the session lives:
 * a token past half-life gets a `token` frame with a fresh one (same session, tenant and jti, so
 * the incarnation is unchanged) that the sandbox can reconnect with.
 */
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { issueSandboxToken, SANDBOX_TOKEN_TTL_SECONDS, verifySandboxToken } from "../src/sandbox-auth/token";
import { createSession } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

describe("sandbox token renewal", () => {
  it("a sandbox token lives at most an hour and is renewed over the bridge before it expires", async () => {
    expect(SANDBOX_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(3600);
    const session = await createSession("renew my token");
    const jti = "inc-renew-1.0f6c";
    await useIncarnation(session, jti);
    const claims = { sessionId: session.id, tenantId: session.tenantId, jti };
    const aged = await issueSandboxToken(TEST_SANDBOX_SECRET, claims, 3600, Date.now() - 40 * 60_000);

    const sandbox = await SandboxClient.connect(aged.token);
    sandbox.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await sandbox.waitFor("welcome");
    const renewal = await sandbox.waitFor("token");

    const verified = await verifySandboxToken(TEST_SANDBOX_SECRET, renewal.token);
    expect(verified).toMatchObject({ ok: true, claims: { ...claims } });
    const payload = decodeJwt(renewal.token);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600);
    expect(payload.iat!).toBeGreaterThan(aged.issuedAt);
    expect(Date.parse(renewal.expiresAt)).toBe(payload.exp! * 1000);

    // The renewed token is the same incarnation: a reconnect with it is welcomed, not superseded.
    const again = await SandboxClient.connect(renewal.token);
    again.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await again.waitFor("welcome");
    expect(again.frames.some((f) => f.type === "token")).toBe(false);
    again.close();
    sandbox.close();
  });
});
