/**
 * GitHub triggers in workerd, against the GitHub double over loopback: a labelled issue starts a
 * session and gets a comment, a reader gets a polite reply instead, unknown installations and
 * other labels start nothing, installation events keep D1's repositories in sync.
 */
import { env } from "cloudflare:workers";
import type { ListSessionsResponse, Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { linkInstallation, listTenantRepositories } from "../src/db/repositories/github";
import { GITHUB_APP } from "./github-app-fixture";
import { githubTenant, INSTALLATION_ID } from "./github-tenant";
import { api, createTenant, waitFor } from "./helpers";
import { deliverSigned, repositoryJson, userJson } from "./webhook-fixtures";

const doubleUrl = () => (env as unknown as { GITHUB_APP_WEB_URL: string }).GITHUB_APP_WEB_URL;

async function createIssue(title: string, body: string): Promise<number> {
  const res = await fetch(`${doubleUrl()}/_double/repos/acme/widgets/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title, body, author: "octocat" }),
  });
  if (res.status !== 201) throw new Error(`double refused the issue: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { number: number }).number;
}

async function comments(issue: number): Promise<{ body: string; user: { login: string } }[]> {
  const res = await fetch(`${doubleUrl()}/_double/repos/acme/widgets/issues/${issue}/comments`);
  return (await res.json()) as { body: string; user: { login: string } }[];
}

function labeledPayload(
  issue: { number: number; title: string; body: string },
  opts: { label?: string; sender?: ReturnType<typeof userJson>; installation?: number } = {},
) {
  return {
    action: "labeled",
    issue: { number: issue.number, title: issue.title, body: issue.body, state: "open", labels: [] },
    label: { id: 1, name: opts.label ?? "agent" },
    repository: repositoryJson(9001, "acme", "widgets"),
    sender: opts.sender ?? userJson(583231, "octocat"),
    installation: { id: opts.installation ?? INSTALLATION_ID },
  };
}

async function sessionsOf(tenant: Awaited<ReturnType<typeof githubTenant>>): Promise<Session[]> {
  const res = await api("/api/v1/sessions?limit=100", {}, tenant);
  return ((await res.json()) as ListSessionsResponse).sessions;
}

describe("GitHub triggers", () => {
  it("starts a session for a labelled issue and links it in a comment on the issue", async () => {
    const tenant = await githubTenant();
    const number = await createIssue("Fix the README typo", "It says 'commmit'.");
    const res = await deliverSigned(
      "issues",
      labeledPayload({ number, title: "Fix the README typo", body: "It says 'commmit'." }),
    );
    expect(res.status).toBe(202);
    const session = await waitFor("the issue's session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title === "Fix the README typo"),
    );
    expect(session).toMatchObject({
      trigger: "github",
      repo: { kind: "github", owner: "acme", name: "widgets" },
    });
    const events = (await (await api(`/api/v1/sessions/${session.id}/events`, {}, tenant)).json()) as {
      events: { event: { type: string; text?: string } }[];
    };
    const prompt = events.events.find((e) => e.event.type === "prompt");
    expect(prompt?.event.text).toContain(`Resolve GitHub issue #${number}: Fix the README typo`);
    expect(prompt?.event.text).toContain("It says 'commmit'.");
    const posted = await waitFor("the session link comment", async () => {
      const all = await comments(number);
      return all.length > 0 ? all : undefined;
    });
    expect(posted[0]?.user.login).toBe(`${GITHUB_APP.slug}[bot]`);
    expect(posted[0]?.body).toContain(`/sessions/${session.id}`);
  });

  it("answers a label from someone without write access politely and starts nothing", async () => {
    const tenant = await githubTenant();
    const number = await createIssue("Please do my homework", "");
    const before = (await sessionsOf(tenant)).length;
    const res = await deliverSigned(
      "issues",
      labeledPayload(
        { number, title: "Please do my homework", body: "" },
        { sender: userJson(1_000_002, "hubot") },
      ),
    );
    expect(res.status).toBe(202);
    const posted = await waitFor("the polite reply", async () => {
      const all = await comments(number);
      return all.length > 0 ? all : undefined;
    });
    expect(posted[0]?.body).toMatch(/@hubot.*write access to acme\/widgets/);
    expect((await sessionsOf(tenant)).length).toBe(before);
  });

  it("starts nothing for another label, a bot, a label on a pull request or an unknown installation", async () => {
    const tenant = await githubTenant();
    const before = (await sessionsOf(tenant)).length;
    const issue = { number: 4242, title: "Ignored", body: "" };
    const cases = [
      labeledPayload(issue, { label: "bug" }),
      labeledPayload(issue, { sender: { ...userJson(41898282, "github-actions[bot]"), type: "Bot" } }),
      labeledPayload(issue, { installation: 123_456 }),
      { ...labeledPayload(issue), issue: { ...labeledPayload(issue).issue, pull_request: { url: "x" } } },
    ];
    for (const payload of cases) expect((await deliverSigned("issues", payload)).status).toBe(202);
    // An unrelated delivery processed after them proves their background work has finished.
    const marker = await createIssue("Marker", "");
    await deliverSigned("issues", labeledPayload({ number: marker, title: "Marker", body: "" }));
    await waitFor("the marker session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title === "Marker"),
    );
    expect((await sessionsOf(tenant)).map((s) => s.title).filter((t) => t === "Ignored")).toEqual([]);
    expect((await sessionsOf(tenant)).length).toBe(before + 1);
  });

  it("forgets a delivery whose work failed, so GitHub's redelivery of it is processed again", async () => {
    const tenant = await githubTenant();
    // acme/uninstalled is not granted to installation 77: the token for the write check cannot be minted.
    const payload = {
      ...labeledPayload({ number: 9, title: "Not granted", body: "" }),
      repository: repositoryJson(9003, "acme", "uninstalled"),
    };
    const delivery = crypto.randomUUID();
    expect((await deliverSigned("issues", payload, delivery)).status).toBe(202);
    const again = await waitFor("the failed delivery to be released", async () => {
      const res = await deliverSigned("issues", payload, delivery);
      return res.status === 202 ? res : undefined;
    });
    expect(await again.json()).not.toMatchObject({ duplicate: true });
    const db = openDatabase(env.DB);
    expect((await listTenantRepositories(db, tenant.tenantId)).map((r) => r.name)).not.toContain(
      "uninstalled",
    );
    expect((await sessionsOf(tenant)).map((s) => s.title)).not.toContain("Not granted");
  });

  it("answers 400 to a labelled-issue payload it cannot read, and 202 to events it does not handle", async () => {
    const broken = labeledPayload({ number: 1, title: "x", body: "" }) as Record<string, unknown>;
    delete broken.repository;
    const res = await deliverSigned("issues", broken);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/repository/);
    expect((await deliverSigned("star", { action: "created", installation: { id: 1 } })).status).toBe(202);
    expect((await deliverSigned("ping", { zen: "Keep it logically awesome.", hook_id: 1 })).status).toBe(202);
  });

  it("keeps a tenant's repositories in sync with installation events, and forgets a deleted installation", async () => {
    const owner = await createTenant("gh-sync");
    const db = openDatabase(env.DB);
    const installation = 700_000 + Math.floor(Math.random() * 99_999);
    await linkInstallation(db, owner.tenantId, {
      id: installation,
      accountLogin: "sync-org",
      linkedBy: owner.userId,
      now: Date.now(),
    });
    const brief = (id: number, name: string) => ({
      id,
      node_id: `R_${id}`,
      name,
      full_name: `sync-org/${name}`,
      private: true,
    });
    const added = await deliverSigned("installation_repositories", {
      action: "added",
      installation: { id: installation, account: { login: "sync-org" } },
      repository_selection: "selected",
      repositories_added: [brief(installation + 1, "one"), brief(installation + 2, "two")],
      repositories_removed: [],
      sender: userJson(583231, "octocat"),
    });
    expect(added.status).toBe(202);
    await waitFor("two repositories", async () =>
      (await listTenantRepositories(db, owner.tenantId)).length === 2 ? true : undefined,
    );
    await deliverSigned("installation_repositories", {
      action: "removed",
      installation: { id: installation, account: { login: "sync-org" } },
      repository_selection: "selected",
      repositories_added: [],
      repositories_removed: [brief(installation + 1, "one")],
      sender: userJson(583231, "octocat"),
    });
    await waitFor("one repository left", async () => {
      const repos = await listTenantRepositories(db, owner.tenantId);
      return repos.length === 1 && repos[0]?.name === "two" ? true : undefined;
    });
    const picker = (await (await api("/api/v1/repositories", {}, owner)).json()) as {
      repositories: { label: string }[];
    };
    expect(picker.repositories.map((r) => r.label)).toContain("sync-org/two");
    await deliverSigned("installation", {
      action: "deleted",
      installation: { id: installation, account: { login: "sync-org" } },
      sender: userJson(583231, "octocat"),
    });
    await waitFor("the installation gone", async () => {
      const github = (await (await api(`/api/v1/tenants/${owner.tenantId}/github`, {}, owner)).json()) as {
        installations: unknown[];
      };
      return github.installations.length === 0 ? true : undefined;
    });
    expect(await listTenantRepositories(db, owner.tenantId)).toEqual([]);
  });
});
