/**
 * The token broker end to end in workerd: the session DO (as the git proxy calls it) →
 * @octokit/app (PKCS#1 key from the double) → the GitHub double. Proves the token is scoped to
 * the session's one repository with contents: write only, cached, and refused on another repository.
 */
import { env, runInDurableObject } from "cloudflare:test";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/secrets/encoding";
import type { SessionAgent } from "../src/session/agent";
import { githubTenant } from "./github-tenant";
import { createTenant, joinTenant, postJson, sessionStub } from "./helpers";
import { useIncarnation } from "./sandbox-client";

const doubleUrl = () => (env as unknown as { GITHUB_APP_WEB_URL: string }).GITHUB_APP_WEB_URL;

interface Mint {
  installationId: number;
  repositoryIds: number[] | null;
  repositories: string[] | null;
  permissions: Record<string, string> | null;
}

async function mints(): Promise<Mint[]> {
  return (await (await fetch(`${doubleUrl()}/_double/token-mints`)).json()) as Mint[];
}

function createGithubSession(name: string, as: Parameters<typeof postJson>[3]) {
  return postJson(
    "/api/v1/sessions",
    { repo: { kind: "github", owner: "acme", name }, prompt: "Fix it" },
    {},
    as,
  );
}

async function githubSession(name: string): Promise<Session> {
  const res = await createGithubSession(name, await githubTenant());
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

/**
 * Asks the session's DO for the installation token as the git proxy does (the token never leaves
 * the control plane: no route hands it to a sandbox any more).
 */
async function credential(session: Session, jti: string) {
  const access = await sessionStub(session.id).gitAccess(
    session.tenantId,
    await sha256Hex(jti),
    `github/${session.repo.kind === "github" ? `${session.repo.owner}/${session.repo.name}` : ""}`,
  );
  if (!access.ok) return { ok: false as const, code: access.code };
  const result = access.value.credential;
  if (!result?.ok) return { ok: false as const, code: result?.code ?? "no_credential" };
  return { ok: true as const, password: result.value.token, expiresAt: result.value.expiresAt };
}

describe("GitHub token broker", () => {
  it("returns a contents-write token for the session's one repository, cached in the DO", async () => {
    const session = await githubSession("widgets");
    await useIncarnation(session, "inc-gh-1");
    const before = (await mints()).length;
    const first = await credential(session, "inc-gh-1");
    if (!first.ok) throw new Error(`no token: ${first.code}`);
    expect(first.password).toMatch(/^ghs_/);
    expect(first.expiresAt - Date.now()).toBeGreaterThan(50 * 60 * 1000);

    const second = await credential(session, "inc-gh-1");
    expect(second.ok && second.password).toBe(first.password);
    const asked = (await mints()).slice(before);
    expect(asked).toHaveLength(1);
    // Least privilege: one repository, contents: write, nothing else.
    expect(asked[0]?.permissions).toEqual({ contents: "write" });
    expect((asked[0]?.repositoryIds ?? []).length + (asked[0]?.repositories ?? []).length).toBe(1);

    const api = (path: string) =>
      fetch(`${doubleUrl()}/api/v3${path}`, { headers: { authorization: `token ${first.password}` } });
    expect((await api("/repos/acme/widgets")).status).toBe(200);
    expect((await api("/repos/acme/gadgets")).status).toBe(404);
    const pr = await fetch(`${doubleUrl()}/api/v3/repos/acme/widgets/pulls`, {
      method: "POST",
      headers: { authorization: `token ${first.password}` },
      body: JSON.stringify({ title: "x", head: "main", base: "main" }),
    });
    expect(pr.status).toBe(403);
  });

  it("mints again by repository id once the cached token is within five minutes of expiry", async () => {
    const session = await githubSession("gadgets");
    await useIncarnation(session, "inc-gh-2");
    const first = await credential(session, "inc-gh-2");
    expect(first.ok).toBe(true);
    await runInDurableObject(sessionStub(session.id), (agent: SessionAgent) => {
      // Reach into the in-memory cache: the token is never in storage, so there is nothing else to age.
      const cache = (
        agent as unknown as {
          sandboxAccess: { parts: { githubCredentials: { cache: { current: { expiresAt: number } } } } };
        }
      ).sandboxAccess.parts.githubCredentials.cache;
      cache.current.expiresAt = Date.now() + 4 * 60 * 1000;
    });
    const before = (await mints()).length;
    const second = await credential(session, "inc-gh-2");
    expect(second.ok).toBe(true);
    expect(second.ok && second.password).not.toBe(first.ok && first.password);
    const asked = (await mints()).slice(before);
    expect(asked).toEqual([
      expect.objectContaining({ repositoryIds: [9002], permissions: { contents: "write" } }),
    ]);
  });

  it("never stores the token in the session's storage", async () => {
    const session = await githubSession("widgets");
    await useIncarnation(session, "inc-gh-3");
    const minted = await credential(session, "inc-gh-3");
    if (!minted.ok) throw new Error(`no token: ${minted.code}`);
    const dump = await runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) =>
      JSON.stringify(
        state.storage.sql
          .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
          .toArray()
          .map((t) => state.storage.sql.exec(`SELECT * FROM "${String(t.name)}"`).toArray()),
      ),
    );
    expect(dump).not.toContain(minted.password);
  });

  it("holds follow-ups to the same rule: an admin without GitHub write access cannot prompt a GitHub session", async () => {
    const owner = await githubTenant();
    const session = await githubSession("widgets");
    const admin = await joinTenant(owner, "admin");
    const denied = await postJson(
      `/api/v1/sessions/${session.id}/prompts`,
      { text: "push this too" },
      {},
      admin,
    );
    expect(denied.status).toBe(403);
    const allowed = await postJson(`/api/v1/sessions/${session.id}/prompts`, { text: "and this" }, {}, owner);
    expect(allowed.status).toBe(202);
  });

  it("refuses a session on a repository no connected installation grants, saying how to fix it", async () => {
    const res = await createGithubSession("uninstalled", await githubTenant());
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/acme\/uninstalled is not connected to this tenant/);
  });

  it("refuses a GitHub user without write access, and a user with no GitHub identity", async () => {
    const reader = await githubTenant({ githubId: 1_000_002, login: "hubot" });
    const denied = await createGithubSession("widgets", reader);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toMatch(
      /@hubot cannot push to acme\/widgets/,
    );
    const devUser = await joinTenant(await githubTenant(), "member");
    const noIdentity = await createGithubSession("widgets", devUser);
    expect(noIdentity.status).toBe(403);
    expect(((await noIdentity.json()) as { error: { message: string } }).error.message).toMatch(
      /needs a GitHub identity/,
    );
    // Another tenant cannot use tenant A's installation: to it the repository is simply not connected.
    const other = await createGithubSession("widgets", await createTenant("no-github"));
    expect(other.status).toBe(404);
  });
});
