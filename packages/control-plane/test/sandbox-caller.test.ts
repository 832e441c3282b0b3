/**
 * The sandbox caller check shared by the model gateway and the git proxy: the token from any of
 * the headers the tools send, the JWT verified, the DO asked about the incarnation, the answer
 * cached for a short window. Real Worker env, real DO.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import {
  authenticateSandboxCaller,
  CALLER_CACHE_TTL_MS,
  forgetCachedCallers,
  sandboxTokenOf,
} from "../src/sandbox-auth/sandbox-caller";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import { createSession, postJson, waitFor } from "./helpers";
import { TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

const bindings = env as unknown as Bindings;
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

describe("sandbox caller", () => {
  it("finds the token in Bearer, x-api-key, x-goog-api-key and the Basic password", () => {
    expect(sandboxTokenOf(bearer("a.b.c"))).toBe("a.b.c");
    expect(sandboxTokenOf(new Headers({ "x-api-key": "a.b.c" }))).toBe("a.b.c");
    expect(sandboxTokenOf(new Headers({ "x-goog-api-key": "a.b.c" }))).toBe("a.b.c");
    expect(sandboxTokenOf(new Headers({ authorization: `Basic ${btoa("x-access-token:a.b.c")}` }))).toBe(
      "a.b.c",
    );
    expect(sandboxTokenOf(new Headers({ authorization: `Basic ${btoa("user-only")}` }))).toBeNull();
    expect(sandboxTokenOf(new Headers())).toBeNull();
  });

  it("names the session, tenant, user, repository and branch of the current incarnation", async () => {
    const session = await createSession();
    const token = await useIncarnation(session, "inc-caller-1");
    const result = await authenticateSandboxCaller(bindings, bearer(token));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.caller).toMatchObject({
      tenantId: session.tenantId,
      sessionId: session.id,
      userId: session.createdBy,
      repo: session.repo,
      branch: session.branch,
    });
  });

  it("a forged, expired or replaced-incarnation token gets 401", async () => {
    const session = await createSession();
    const current = await useIncarnation(session, "inc-caller-2");
    const forged = await mintSandboxToken(
      "another-secret-that-is-long-enough-0123456789",
      { sessionId: session.id, tenantId: session.tenantId, jti: "inc-caller-2" },
      600,
    );
    expect(await authenticateSandboxCaller(bindings, bearer(forged))).toMatchObject({
      ok: false,
      status: 401,
    });
    const expired = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: session.id, tenantId: session.tenantId, jti: "inc-caller-2" },
      -10,
    );
    expect(await authenticateSandboxCaller(bindings, bearer(expired))).toMatchObject({
      ok: false,
      status: 401,
      message: expect.stringMatching(/expired/),
    });
    const stale = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: session.id, tenantId: session.tenantId, jti: "inc-caller-old" },
      600,
    );
    expect(await authenticateSandboxCaller(bindings, bearer(stale))).toMatchObject({
      ok: false,
      status: 401,
    });
    const otherTenant = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: session.id, tenantId: "t_someone_else", jti: "inc-caller-2" },
      600,
    );
    expect(await authenticateSandboxCaller(bindings, bearer(otherTenant))).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await authenticateSandboxCaller(bindings, new Headers())).toMatchObject({
      ok: false,
      status: 401,
    });
    expect((await authenticateSandboxCaller(bindings, bearer(current))).ok).toBe(true);
  });

  it("an ended session's token gets 410 once the cached answer has lapsed", async () => {
    const session: Session = await createSession();
    const token = await useIncarnation(session, "inc-caller-3");
    let clock = Date.now();
    const now = () => clock;
    expect((await authenticateSandboxCaller(bindings, bearer(token), now)).ok).toBe(true);
    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {});
    expect(stop.status).toBeLessThan(300);
    await waitFor("the session to end", async () => {
      const r = await authenticateSandboxCaller(
        bindings,
        bearer(token),
        () => clock + CALLER_CACHE_TTL_MS + 1,
      );
      return !r.ok && r.status === 410;
    });
    // Past the cache window every answer comes from the DO again.
    clock += CALLER_CACHE_TTL_MS + 2;
    expect(await authenticateSandboxCaller(bindings, bearer(token), now)).toMatchObject({
      ok: false,
      status: 410,
      code: "session_ended",
    });
    forgetCachedCallers();
  });
});
