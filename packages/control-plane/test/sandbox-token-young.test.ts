/**
 * Renewal waits for half-life: a sandbox whose token is young gets no `token` frame, however many
 * frames it sends (each renewal would be a signature and a socket write per runtime frame).
 */
import { describe, expect, it } from "vitest";
import { issueSandboxToken } from "../src/sandbox-auth/token";
import { createSession } from "./helpers";
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
});
