/**
 * Withdrawn access stops what it started (issue 11 §7): deleting a tenant, removing a member or
 * disconnecting a GitHub installation stops that scope's live sessions with a reason, releases
 * their sandboxes, and the sandbox's token is refused from then on (bridge and git credentials). A repository removed
 * from an installation stops that repository's sessions.
 */
import { BridgeCloseCode, type Session, StoredEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { runDeadlineNow } from "./capacity";
import { githubTenant } from "./github-tenant";
import {
  api,
  browserHeaders,
  createTenant,
  type Identity,
  joinTenant,
  postJson,
  sessionStub,
  unwrapRpc,
  waitFor,
} from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";
import { deliverSigned, userJson } from "./webhook-fixtures";

async function startSession(as: Identity, repo: unknown = { kind: "local", path: "demo" }): Promise<Session> {
  const res = await postJson("/api/v1/sessions", { repo, prompt: "work" }, {}, as);
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

/** A connected sandbox for the session, with its token. */
async function liveSandbox(s: Session, jti: string) {
  const token = await useIncarnation(s, jti);
  const sandbox = await SandboxClient.connect(token);
  sandbox.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  await sandbox.waitFor("welcome");
  return { token, sandbox };
}

async function statusEvent(s: Session) {
  const page = unwrapRpc<{ events: unknown[] }>(await sessionStub(s.id).readEvents(s.tenantId, 0, 1000));
  return page.events
    .map((e) => StoredEvent.parse(e).event)
    .filter((e) => e.type === "session.status")
    .at(-1);
}

/** The sandbox is told to shut down, its release runs, and a new connection with its token is refused. */
async function expectRevoked(s: Session, token: string, sandbox: SandboxClient, reason: RegExp) {
  expect(await statusEvent(s)).toMatchObject({ status: "stopped", reason: expect.stringMatching(reason) });
  await sandbox.waitFor("shutdown");
  await runDeadlineNow(s, "sandbox.terminate");
  expect(await sandbox.waitForClose()).toBe(BridgeCloseCode.sessionEnded);
  const again = await SandboxClient.connect(token);
  expect([BridgeCloseCode.sessionEnded, BridgeCloseCode.unauthorized]).toContain(await again.waitForClose());
}

describe("withdrawn access stops sessions", () => {
  it("removing a member stops the sessions they started, refuses their sandbox, and leaves others running", async () => {
    const owner = await createTenant("revoke-member");
    const member = await joinTenant(owner, "member");
    const theirs = await startSession(member);
    const ours = await startSession(owner);
    const { token, sandbox } = await liveSandbox(theirs, "inc-member");
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}/members/${member.userId}`,
      { method: "DELETE" },
      owner,
    );
    expect(res.status).toBe(204);
    await expectRevoked(theirs, token, sandbox, /member who started it was removed/);
    const still = await api(`/api/v1/sessions/${ours.id}`, {}, owner);
    expect(((await still.json()) as Session).status).not.toBe("stopped");
  });

  it("deleting a tenant stops its live sessions and refuses their sandboxes before the data goes", async () => {
    const owner = await createTenant("revoke-tenant");
    const s = await startSession(owner);
    const { token, sandbox } = await liveSandbox(s, "inc-tenant");
    const browser = await browserHeaders(owner.userId);
    const res = await api(
      `/api/v1/tenants/${owner.tenantId}?confirm=${owner.slug}`,
      { method: "DELETE" },
      browser,
    );
    expect(res.status).toBe(204);
    await expectRevoked(s, token, sandbox, /tenant was deleted/);
  });

  it("removing a repository from the installation stops that repository's sessions, not the others'", async () => {
    const tenant = await githubTenant();
    const gadgets = await startSession(tenant, { kind: "github", owner: "acme", name: "gadgets" });
    const widgets = await startSession(tenant, { kind: "github", owner: "acme", name: "widgets" });
    const { token, sandbox } = await liveSandbox(gadgets, "inc-removed-repo");
    const res = await deliverSigned("installation_repositories", {
      action: "removed",
      installation: { id: 77, account: { login: "acme" } },
      repository_selection: "selected",
      repositories_added: [],
      repositories_removed: [
        { id: 9002, node_id: "R_9002", name: "gadgets", full_name: "acme/gadgets", private: true },
      ],
      sender: userJson(583231, "octocat"),
    });
    expect(res.status).toBe(202);
    await waitFor(
      "the gadgets session to stop",
      async () => (await statusEvent(gadgets))?.status === "stopped",
    );
    await expectRevoked(gadgets, token, sandbox, /repository was removed from the GitHub installation/);
    expect((await statusEvent(widgets))?.status).not.toBe("stopped");
  });

  it("disconnecting a GitHub installation stops its repositories' sessions and refuses their git", async () => {
    const tenant = await githubTenant();
    const s = await startSession(tenant, { kind: "github", owner: "acme", name: "widgets" });
    const { token, sandbox } = await liveSandbox(s, "inc-installation");
    const credential = () =>
      api(
        "/sandbox/git/github/acme/widgets.git/info/refs?service=git-upload-pack",
        { headers: { authorization: `Basic ${btoa(`x-sandbox-token:${token}`)}` } },
        null,
      );
    expect((await credential()).status).toBe(200);
    const browser = await browserHeaders(tenant.userId);
    const res = await api(
      `/api/v1/tenants/${tenant.tenantId}/github/installations/77`,
      { method: "DELETE" },
      browser,
    );
    expect(res.status).toBe(204);
    expect((await credential()).status).toBeGreaterThanOrEqual(400);
    await expectRevoked(s, token, sandbox, /GitHub installation was disconnected/);
  });
});
