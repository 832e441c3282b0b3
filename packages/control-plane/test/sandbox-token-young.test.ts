/**
 * When a token is renewed: not before half-life (each renewal would be a signature and a socket
 * write per runtime frame), and never once the session has ended (its sandbox is only waiting to
 * be released and must not get credentials that outlive it).
 */
import { describe, expect, it } from "vitest";
import { issueSandboxToken } from "../src/sandbox-auth/token";
import { api, createSession } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

describe("sandbox token renewal timing", () => {
  it("a token before its half-life is not renewed, on any frame", async () => {
    const session = await createSession("keep my young token");
    const jti = "inc-young-1.7a2e";
    await useIncarnation(session, jti);
    const claims = { sessionId: session.id, tenantId: session.tenantId, jti };
    // 20 minutes old: well before the half-life of a one-hour token.
    const young = await issueSandboxToken(TEST_SANDBOX_SECRET, claims, 3600, Date.now() - 20 * 60_000);

    const sandbox = await SandboxClient.connect(young.token);
    sandbox.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    sandbox.send({ v: 1, type: "heartbeat" });
    sandbox.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    // Frames are answered in order: once the second welcome is here, any token frame would be too.
    await sandbox.waitFor("welcome", () => sandbox.frames.filter((f) => f.type === "welcome").length === 2);
    expect(sandbox.frames.map((f) => f.type)).toEqual(["welcome", "welcome"]);
    sandbox.close();
  });

  it("an ended session's sandbox gets no renewed token during its release grace", async () => {
    const session = await createSession("stop before renewing");
    const jti = "inc-ended-1.5e55";
    await useIncarnation(session, jti);
    const claims = { sessionId: session.id, tenantId: session.tenantId, jti };
    const aged = await issueSandboxToken(TEST_SANDBOX_SECRET, claims, 3600, Date.now() - 40 * 60_000);

    const sandbox = await SandboxClient.connect(aged.token);
    const stopped = await api(`/api/v1/sessions/${session.id}/stop`, { method: "POST" });
    expect(stopped.ok).toBe(true);
    await sandbox.waitFor("shutdown");
    // The socket stays open for the release grace; a frame on it must not earn a fresh token.
    sandbox.send({ v: 1, type: "heartbeat" });
    sandbox.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await sandbox.waitFor("welcome");
    expect(sandbox.frames.some((f) => f.type === "token")).toBe(false);
    sandbox.close();
  });
});
