/**
 * POST /sandbox/bootstrap in the real Worker and session DO: a bootstrap token for the session's
 * current incarnation is exchanged once for the runtime's whole environment (a sandbox token that
 * opens the bridge, the repository, the branch, the tenant's secrets); every other token is
 * refused with the error table's status and code, and a bootstrap token opens nothing else.
 */
import { BootstrapResponse, BridgeCloseCode, ErrorBody, type Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { mintBootstrapToken } from "../src/sandbox-auth/bootstrap-token";
import { verifySandboxToken } from "../src/sandbox-auth/token";
import { api, createSession, postJson, waitFor } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

function exchange(token: string | null): Promise<Response> {
  return api(
    "/sandbox/bootstrap",
    { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} },
    null,
  );
}

async function refusal(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = ErrorBody.parse(await res.json());
  return { status: res.status, code: body.error.code, message: body.error.message };
}

/** A session whose current incarnation is `incarnation`, and a bootstrap token minted for it. */
async function bootstrapFor(session: Session, incarnation: string, nowMs = Date.now()) {
  await useIncarnation(session, incarnation);
  const { token } = await mintBootstrapToken(
    TEST_SANDBOX_SECRET,
    { sessionId: session.id, tenantId: session.tenantId, incarnation, jti: crypto.randomUUID() },
    nowMs,
  );
  return token;
}

describe("the bootstrap exchange", () => {
  it("answers the runtime's whole environment once, with a sandbox token for the incarnation that opens the bridge", async () => {
    const session = await createSession("bootstrap me");
    const incarnation = `01jbootstrap.${crypto.randomUUID()}`;
    const token = await bootstrapFor(session, incarnation);
    // Set after the launch: the environment is built (and the secret decrypted) at exchange time.
    const put = await api(`/api/v1/tenants/${session.tenantId}/secrets/BOOTSTRAP_NPM_TOKEN`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value: "npm-secret-for-the-exchange" }),
    });
    expect(put.status).toBeLessThan(300);

    const res = await exchange(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { env } = BootstrapResponse.parse(await res.json());
    expect(env).toMatchObject({
      NIGHTSHIFT_SESSION_ID: session.id,
      NIGHTSHIFT_BRANCH: session.branch,
      NIGHTSHIFT_AGENT: "claude-code",
      NIGHTSHIFT_REPO_URL: expect.stringMatching(/\/sandbox\/git\/local\/demo\.git$/),
      BOOTSTRAP_NPM_TOKEN: "npm-secret-for-the-exchange",
    });
    expect(env.NIGHTSHIFT_SECRET_NAMES?.split(",")).toContain("BOOTSTRAP_NPM_TOKEN");
    const verified = await verifySandboxToken(TEST_SANDBOX_SECRET, env.NIGHTSHIFT_SANDBOX_TOKEN ?? "");
    expect(verified).toMatchObject({
      ok: true,
      claims: { sessionId: session.id, tenantId: session.tenantId, jti: incarnation },
    });

    const bridge = await SandboxClient.connect(env.NIGHTSHIFT_SANDBOX_TOKEN ?? "");
    bridge.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await bridge.waitFor("welcome");
    bridge.close();
  });

  it("a reused bootstrap token is refused with 409 bootstrap_token_used", async () => {
    const session = await createSession("bootstrap twice");
    const token = await bootstrapFor(session, `01jreuse.${crypto.randomUUID()}`);
    expect((await exchange(token)).status).toBe(200);
    expect(await refusal(await exchange(token))).toEqual({
      status: 409,
      code: "bootstrap_token_used",
      message: "this bootstrap token was already exchanged; a bootstrap token works once",
    });
  });

  it("two exchanges racing with one bootstrap token: exactly one gets the environment", async () => {
    const session = await createSession("bootstrap race");
    const token = await bootstrapFor(session, `01jrace.${crypto.randomUUID()}`);
    const statuses = (await Promise.all([exchange(token), exchange(token), exchange(token)])).map(
      (res) => res.status,
    );
    expect(statuses.sort()).toEqual([200, 409, 409]);
  });

  it("a bootstrap token for an incarnation the session replaced (wrong incarnation) is refused with 401", async () => {
    const session = await createSession("bootstrap an old sandbox");
    const old = await bootstrapFor(session, `01jold.${crypto.randomUUID()}`);
    await useIncarnation(session, `01jnew.${crypto.randomUUID()}`);
    expect(await refusal(await exchange(old))).toEqual({
      status: 401,
      code: "unauthorized",
      message: "this bootstrap token belongs to a sandbox the session has replaced",
    });
  });

  it("a bootstrap token naming another session (wrong session) or another tenant is refused with 401", async () => {
    const mine = await createSession("bootstrap mine");
    const other = await createSession("bootstrap other");
    const incarnation = `01jmine.${crypto.randomUUID()}`;
    await useIncarnation(mine, incarnation);
    await useIncarnation(other, `01jother.${crypto.randomUUID()}`);
    const mint = (sessionId: string, tenantId: string) =>
      mintBootstrapToken(
        TEST_SANDBOX_SECRET,
        { sessionId, tenantId, incarnation, jti: crypto.randomUUID() },
        Date.now(),
      ).then((minted) => minted.token);
    for (const token of [
      await mint(other.id, other.tenantId),
      await mint(mine.id, "another-tenant"),
      await mint("no-such-session", mine.tenantId),
    ]) {
      expect((await refusal(await exchange(token))).status).toBe(401);
    }
  });

  it("an expired bootstrap token is refused with 401", async () => {
    const session = await createSession("bootstrap late");
    const token = await bootstrapFor(session, `01jlate.${crypto.randomUUID()}`, Date.now() - 16 * 60_000);
    expect(await refusal(await exchange(token))).toEqual({
      status: 401,
      code: "unauthorized",
      message: "bootstrap token has expired",
    });
  });

  it("a sandbox token presented as a bootstrap token, or no token, is refused with 401", async () => {
    const session = await createSession("bootstrap with the wrong token");
    const sandboxToken = await useIncarnation(session, `01jwrong.${crypto.randomUUID()}`);
    expect(await refusal(await exchange(sandboxToken))).toMatchObject({
      status: 401,
      code: "unauthorized",
      message: expect.stringMatching(/^this is not a bootstrap token/),
    });
    expect((await refusal(await exchange(null))).status).toBe(401);
  });

  it("a bootstrap token presented as a sandbox token opens neither the bridge nor the model gateway nor the git proxy", async () => {
    const session = await createSession("bootstrap token elsewhere");
    const token = await bootstrapFor(session, `01jelsewhere.${crypto.randomUUID()}`);
    const bridge = await SandboxClient.connect(token);
    expect(await bridge.waitForClose()).toBe(BridgeCloseCode.unauthorized);
    const model = await api(
      "/sandbox/model/anthropic/v1/messages",
      {
        method: "POST",
        headers: {
          "x-api-key": token,
          "content-type": "application/json",
          "anthropic-version": "2023-06-01",
        },
        body: "{}",
      },
      null,
    );
    expect(model.status).toBe(401);
    const git = await api(
      "/sandbox/git/local/demo.git/info/refs?service=git-upload-pack",
      { headers: { authorization: `Basic ${btoa(`x-sandbox-token:${token}`)}` } },
      null,
    );
    expect(git.status).toBe(401);
    // Still unspent: the refusals elsewhere did not touch it.
    expect((await exchange(token)).status).toBe(200);
  });

  it("a bootstrap token of a session that ended is refused with 410", async () => {
    const session = await createSession("bootstrap after the end");
    const token = await bootstrapFor(session, `01jended.${crypto.randomUUID()}`);
    expect((await postJson(`/api/v1/sessions/${session.id}/stop`, {})).status).toBeLessThan(300);
    await waitFor("the session to stop", async () => {
      const res = await api(`/api/v1/sessions/${session.id}`);
      return ((await res.json()) as Session).status === "stopped";
    });
    expect(await refusal(await exchange(token))).toMatchObject({ status: 410, code: "session_ended" });
  });
});
