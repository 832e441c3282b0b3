import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appJwt, callApi, mintToken, startWebhookSink } from "./double-test-helpers";
import { type GithubDouble, startGithubDouble } from "./github-double";
import { signWebhookBody } from "./webhook-sender";

type Installations = { total_count: number; installations: Record<string, unknown>[] };

describe("GitHub double: installations", () => {
  let gh: GithubDouble;
  let sink: Awaited<ReturnType<typeof startWebhookSink>>;
  const ids = (reply: { json: Installations }) => reply.json.installations.map((i) => i.id);

  beforeAll(async () => {
    gh = await startGithubDouble({
      users: [
        { id: 1, login: "octo" },
        { id: 2, login: "mona" },
        { id: 3, login: "outsider" },
      ],
      repos: [
        { owner: "octo", name: "alpha" },
        { owner: "octo", name: "beta" },
        { owner: "acme", name: "widgets", collaborators: { mona: "write" } },
        { owner: "acme", name: "gadgets" },
        { owner: "acme", name: "secret" },
        { owner: "mona", name: "notes" },
        { owner: "globex", name: "plans" },
        { owner: "initech", name: "app" },
      ],
      installations: [
        { id: 7, account: "octo", repos: ["octo/alpha"] },
        { id: 8, account: "acme", members: ["mona"] },
        { id: 10, account: "mona" },
        { id: 11, account: "globex", members: ["MONA"] },
      ],
    });
    sink = await startWebhookSink();
    gh.setWebhookUrl(sink.url);
  });
  afterAll(async () => {
    await sink?.close();
    await gh?.close();
  });

  it("lists the installations a user token can access, paginated with a Link header", async () => {
    const mona = gh.issueUserToken("mona");
    const first = await callApi<Installations>(gh, "/user/installations?per_page=2", { token: mona });
    expect(first.status).toBe(200);
    expect(first.json.total_count).toBe(3);
    expect(ids(first)).toEqual([8, 10]);
    const next = /<([^>]+)>; rel="next"/.exec(first.link ?? "")?.[1] ?? "";
    expect(next).toBe(`${gh.apiUrl}/user/installations?per_page=2&page=2`);
    expect(first.link).toContain(`<${gh.apiUrl}/user/installations?per_page=2&page=2>; rel="last"`);
    const second = await callApi<Installations>(gh, next.slice(gh.apiUrl.length), { token: mona });
    expect(ids(second)).toEqual([11]);
    expect(second.link).toContain('rel="prev"');
    expect(second.link).toContain('rel="first"');
    expect(second.link).not.toContain('rel="next"');

    const [org, own] = first.json.installations;
    expect(org).toMatchObject({
      id: 8,
      account: { login: "acme", type: "Organization" },
      app_id: gh.app.id,
      app_slug: gh.app.slug,
      repository_selection: "all",
      target_type: "Organization",
      permissions: { contents: "write", pull_requests: "write", issues: "write", metadata: "read" },
      suspended_at: null,
    });
    expect(org?.events).toEqual(expect.arrayContaining(["issue_comment", "pull_request_review_comment"]));
    expect(own).toMatchObject({
      id: 10,
      account: { login: "mona", id: 2, type: "User" },
      target_type: "User",
    });

    expect(
      ids(await callApi<Installations>(gh, "/user/installations", { token: gh.issueUserToken("octo") })),
    ).toEqual([7]);
    const none = await callApi<Installations>(gh, "/user/installations", {
      token: gh.issueUserToken("outsider"),
    });
    expect(none.json).toEqual({ total_count: 0, installations: [] });
    expect(none.link).toBeNull();
  });

  it("refuses /user/installations without a user token", async () => {
    const anonymous = await callApi(gh, "/user/installations");
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ message: "Requires authentication" });
    expect(anonymous.json.documentation_url).toEqual(expect.any(String));
    expect((await callApi(gh, "/user/installations", { token: "gho_unknown" })).status).toBe(401);
    const asInstallation = await callApi(gh, "/user/installations", { token: await mintToken(gh, 7) });
    expect(asInstallation.status).toBe(403);
    expect(asInstallation.json.message).toBe("Resource not accessible by integration");
    const asApp = await callApi(gh, "/user/installations", {
      token: appJwt(gh.app.privateKeyPem, gh.app.id),
    });
    expect(asApp.status).toBe(403);
  });

  it("lists an installation's repositories the user can reach, and 404s installations they cannot see", async () => {
    const mona = gh.issueUserToken("mona");
    const repos = await callApi<{ total_count: number; repositories: Record<string, unknown>[] }>(
      gh,
      "/user/installations/8/repositories",
      { token: mona },
    );
    expect(repos.status).toBe(200);
    expect(repos.json.repositories.map((r) => r.full_name)).toEqual(["acme/widgets"]);
    expect(repos.json.repositories[0]?.permissions).toMatchObject({ push: true, admin: false });
    const outsider = gh.issueUserToken("outsider");
    expect((await callApi(gh, "/user/installations/8/repositories", { token: outsider })).status).toBe(404);
  });

  it("paginates /app/installations for the App", async () => {
    const reply = await callApi<Record<string, unknown>[]>(gh, "/app/installations?per_page=3", {
      token: appJwt(gh.app.privateKeyPem, gh.app.id),
    });
    expect(reply.json.map((i) => i.id)).toEqual([7, 8, 10]);
    expect(reply.link).toContain('page=2>; rel="next"');
  });

  it("installs the App with an installation.created webhook", async () => {
    expect(() => gh.addInstallation({ id: 7, account: "initech" })).toThrow(/already exists/);
    expect(() => gh.addInstallation({ id: 12, account: "initech", repos: ["octo/alpha"] })).toThrow(
      /does not belong/,
    );
    expect(() => gh.installWithWebhook(99, "mona")).toThrow(/no installation 99/);
    gh.addInstallation({ id: 12, account: "initech", repos: ["initech/app"], members: ["mona"] });
    const result = await gh.installWithWebhook(12, "mona");
    expect(result.status).toBe(202);
    const delivery = sink.last();
    expect(delivery.headers["x-github-event"]).toBe("installation");
    expect(delivery.headers["x-hub-signature-256"]).toBe(
      signWebhookBody(gh.app.webhookSecret, delivery.body),
    );
    expect(delivery.payload).toMatchObject({
      action: "created",
      installation: {
        id: 12,
        account: { login: "initech", type: "Organization" },
        repository_selection: "selected",
        app_id: gh.app.id,
      },
      repositories: [{ full_name: "initech/app", private: true }],
      sender: { login: "mona" },
    });
    const mine = await callApi<Installations>(gh, "/user/installations", {
      token: gh.issueUserToken("mona"),
    });
    expect(ids(mine)).toContain(12);
    expect(await mintToken(gh, 12)).toMatch(/^ghs_/);
  });

  it("uninstalls with installation.deleted and revokes the installation's tokens", async () => {
    const token = await mintToken(gh, 12);
    expect((await callApi(gh, "/installation/repositories", { token })).status).toBe(200);
    await gh.uninstallWithWebhook(12, "mona");
    expect(sink.last().payload).toMatchObject({
      action: "deleted",
      installation: { id: 12, account: { login: "initech" } },
      repositories: [{ full_name: "initech/app" }],
      sender: { login: "mona" },
    });
    const revoked = await callApi(gh, "/installation/repositories", { token });
    expect(revoked.status).toBe(401);
    expect(revoked.json.message).toBe("Bad credentials");
    const git = await fetch(`${gh.url}/initech/app.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}` },
    });
    expect(git.status).toBe(401);
    const jwt = appJwt(gh.app.privateKeyPem, gh.app.id);
    expect(
      (await callApi(gh, "/app/installations/12/access_tokens", { method: "POST", token: jwt })).status,
    ).toBe(404);
    const mine = await callApi<Installations>(gh, "/user/installations", {
      token: gh.issueUserToken("mona"),
    });
    expect(ids(mine)).not.toContain(12);
    expect(() => gh.uninstallWithWebhook(12, "mona")).toThrow(/no installation 12/);
  });

  it("grants and withdraws repositories with installation_repositories webhooks", async () => {
    const token = await mintToken(gh, 7);
    expect((await callApi(gh, "/repos/octo/beta", { token })).status).toBe(404);
    const before = sink.deliveries.length;

    const [added] = await gh.setInstallationRepos(7, { add: ["octo/beta"] }, "octo");
    expect(added?.status).toBe(202);
    expect(sink.last().headers["x-github-event"]).toBe("installation_repositories");
    expect(sink.last().payload).toMatchObject({
      action: "added",
      installation: { id: 7 },
      repository_selection: "selected",
      repositories_added: [{ full_name: "octo/beta" }],
      repositories_removed: [],
      sender: { login: "octo" },
    });
    expect((await callApi(gh, "/repos/octo/beta", { token })).status).toBe(200);

    const both = await gh.setInstallationRepos(7, { add: ["octo/alpha"], remove: ["octo/alpha"] }, "octo");
    expect(both).toHaveLength(1);
    expect(sink.last().payload).toMatchObject({
      action: "removed",
      repositories_removed: [{ full_name: "octo/alpha" }],
    });
    expect((await callApi(gh, "/repos/octo/alpha", { token })).status).toBe(404);
    expect(sink.deliveries.length).toBe(before + 2);

    expect(await gh.setInstallationRepos(7, { add: ["octo/beta"] }, "octo")).toEqual([]);
    expect(sink.deliveries.length).toBe(before + 2);
    await expect(gh.setInstallationRepos(7, { add: ["acme/widgets"] }, "octo")).rejects.toThrow(
      /does not belong/,
    );
  });

  it("turns an all-repositories installation into a selection when one is withdrawn", async () => {
    await gh.setInstallationRepos(8, { remove: ["acme/secret"] }, "mona");
    expect(sink.last().payload).toMatchObject({
      action: "removed",
      repository_selection: "selected",
      installation: { id: 8, repository_selection: "selected" },
      repositories_removed: [{ full_name: "acme/secret" }],
    });
    const token = await mintToken(gh, 8);
    const listed = await callApi<{ repositories: { full_name: string }[] }>(
      gh,
      "/installation/repositories",
      {
        token,
      },
    );
    expect(listed.json.repositories.map((r) => r.full_name).sort()).toEqual(["acme/gadgets", "acme/widgets"]);
  });
});
