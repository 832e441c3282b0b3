/**
 * Attacks on the sandbox's credentials from inside the sandbox: a rewritten `origin` asking the
 * broker for another host or repository, and a finished session's token used again (bridge and
 * broker). Real Worker, real DO, the GitHub App double.
 */
import { env } from "cloudflare:test";
import { BridgeCloseCode, type ListAuditResponse, type Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { githubTenant } from "./github-tenant";
import { api, createSession, postJson, waitFor } from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";

const doubleHost = () => new URL((env as unknown as { GITHUB_APP_WEB_URL: string }).GITHUB_APP_WEB_URL).host;

async function githubSession(name: string): Promise<Session> {
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "github", owner: "acme", name }, prompt: "Fix it" },
    {},
    await githubTenant(),
  );
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

function askCredential(token: string, target: { protocol?: string; host: string; path?: string }) {
  return postJson(
    "/sandbox/git-credentials",
    { protocol: "http", ...target },
    { authorization: `Bearer ${token}` },
  );
}

async function refusals(session: Session) {
  const res = await api(
    `/api/v1/tenants/${session.tenantId}/audit?action=sandbox.credential_refused`,
    {},
    await githubTenant(),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as ListAuditResponse;
  return body.entries.filter((e) => e.target.id === session.id);
}

async function statusOf(session: Session, as?: Parameters<typeof api>[2]): Promise<string> {
  const res = await api(`/api/v1/sessions/${session.id}`, {}, as);
  return ((await res.json()) as Session).status;
}

describe("git credential broker", () => {
  it("rewriting origin cannot send the installation token to another host", async () => {
    const session = await githubSession("widgets");
    const token = await useIncarnation(session, "inc-broker-1");

    const otherHost = await askCredential(token, { host: "evil.example", path: "acme/widgets.git" });
    expect(otherHost.status).toBe(403);
    expect(((await otherHost.json()) as { error: { message: string } }).error.message).toMatch(
      /only given for .*not evil\.example/,
    );
    const otherRepo = await askCredential(token, { host: doubleHost(), path: "acme/gadgets.git" });
    expect(otherRepo.status).toBe(403);
    const noPath = await askCredential(token, { host: doubleHost() });
    expect(noPath.status).toBe(403);
    const otherScheme = await askCredential(token, {
      protocol: "ftp",
      host: doubleHost(),
      path: "acme/widgets.git",
    });
    expect(otherScheme.status).toBe(403);

    const audited = await refusals(session);
    expect(audited.map((e) => e.detail.host)).toEqual(
      expect.arrayContaining(["evil.example", doubleHost(), doubleHost(), doubleHost()]),
    );
    expect(audited).toHaveLength(4);
    expect(JSON.stringify(audited)).not.toContain(token);

    // The session's own repository, as git spells it (with or without .git, any case), is answered.
    const own = await askCredential(token, { host: doubleHost(), path: "ACME/Widgets.git" });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { password: string }).password).toMatch(/^ghs_/);
    const bare = await askCredential(token, { host: doubleHost().toUpperCase(), path: "acme/widgets" });
    expect(bare.status).toBe(200);
  });
});

describe("a finished session's sandbox token", () => {
  it("is refused by the git credential broker with 410", async () => {
    const session = await githubSession("widgets");
    const token = await useIncarnation(session, "inc-finished-1");
    const before = await askCredential(token, { host: doubleHost(), path: "acme/widgets.git" });
    expect(before.status).toBe(200);

    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {}, {}, await githubTenant());
    expect(stop.status).toBeLessThan(300);
    await waitFor(
      "the session to stop",
      async () => (await statusOf(session, await githubTenant())) === "stopped",
    );

    const after = await askCredential(token, { host: doubleHost(), path: "acme/widgets.git" });
    expect(after.status).toBe(410);
    const body = (await after.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("session_ended");
    expect(body.error.message).toMatch(/stopped/);
  });

  it("is refused on the bridge with the final 'session ended' close code", async () => {
    const session = await createSession("finish me");
    const token = await useIncarnation(session, "inc-finished-2");
    const live = await SandboxClient.connect(token);
    live.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await live.waitFor("welcome");

    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {});
    expect(stop.status).toBeLessThan(300);
    await waitFor("the session to stop", async () => (await statusOf(session)) === "stopped");

    const again = await SandboxClient.connect(token);
    expect(await again.waitForClose()).toBe(BridgeCloseCode.sessionEnded);
    live.close();
  });
});
