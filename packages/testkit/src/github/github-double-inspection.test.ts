import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, mintToken, startWebhookSink } from "./double-test-helpers";
import { type GithubDouble, startGithubDouble } from "./github-double";

type Json = Record<string, unknown>;

/** The `/_double` routes, called over plain HTTP the way a test inside workerd calls them. */
describe("GitHub double: inspection routes", () => {
  let gh: GithubDouble;
  const inspect = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${gh.url}/_double${path}`, {
      method: init.method ?? "GET",
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Json & Json[] };
  };

  beforeAll(async () => {
    gh = await startGithubDouble({
      users: [{ id: 1, login: "octo" }],
      repos: [{ owner: "octo", name: "alpha" }],
      installations: [{ id: 7, account: "octo" }],
    });
  });
  afterAll(() => gh?.close());

  it("creates an issue for a webhook the test builds itself", async () => {
    const created = await inspect("/repos/octo/alpha/issues", {
      method: "POST",
      body: { title: "From workerd", body: "Please fix", author: "octo" },
    });
    expect(created).toEqual({ status: 201, json: { number: 1 } });
    const token = await mintToken(gh, 7);
    const issue = await callApi(gh, "/repos/octo/alpha/issues/1", { token });
    expect(issue.json).toMatchObject({ title: "From workerd", body: "Please fix", user: { login: "octo" } });

    expect(
      (await inspect("/repos/octo/alpha/issues", { method: "POST", body: { author: "octo" } })).status,
    ).toBe(422);
    const stranger = await inspect("/repos/octo/alpha/issues", {
      method: "POST",
      body: { title: "t", author: "ghost" },
    });
    expect(stranger.status).toBe(422);
    expect(stranger.json.message).toContain("ghost");
    const noRepo = await inspect("/repos/octo/nope/issues", {
      method: "POST",
      body: { title: "t", author: "octo" },
    });
    expect(noRepo.status).toBe(404);
    expect(noRepo.json.message).toBe("Not Found");
  });

  it("shows pull requests, issue comments and review comments as the REST API does", async () => {
    await gh.pushBranch("octo", "alpha", "agent/one", { "new.txt": "new\n" });
    const number = await gh.openPull("octo", "alpha", {
      title: "Agent work",
      head: "agent/one",
      author: "octo",
    });
    gh.addComment("octo", "alpha", number, { author: "octo", body: "Looks good" });

    const pulls = await inspect("/repos/octo/alpha/pulls");
    expect(pulls.status).toBe(200);
    expect(pulls.json).toHaveLength(1);
    expect(pulls.json[0]).toMatchObject({
      number,
      title: "Agent work",
      head: { ref: "agent/one", sha: await gh.branchHead("octo", "alpha", "agent/one") },
      base: { ref: "main" },
    });
    const comments = await inspect(`/repos/octo/alpha/issues/${number}/comments`);
    expect(comments.json.map((c) => c.body)).toEqual(["Looks good"]);
    expect(comments.json[0]?.html_url).toContain(`/pull/${number}#issuecomment-`);
    expect((await inspect("/repos/octo/alpha/issues/99/comments")).status).toBe(404);

    const sink = await startWebhookSink();
    try {
      gh.setWebhookUrl(sink.url);
      await gh.reviewCommentWithWebhook("octo", "alpha", number, { author: "octo", body: "Why new.txt?" });
    } finally {
      await sink.close();
    }
    const review = await inspect(`/repos/octo/alpha/pulls/${number}/comments`);
    expect(review.json).toEqual([
      expect.objectContaining({
        body: "Why new.txt?",
        path: "new.txt",
        line: 1,
        diff_hunk: "@@ -0,0 +1 @@\n+new",
      }),
    ]);
    expect((await inspect("/repos/octo/alpha/pulls/1/comments")).status).toBe(404);
    expect((await inspect("/nothing-here")).status).toBe(404);
  });

  it("still serves the token-mint and git-access logs", async () => {
    await mintToken(gh, 7, { permissions: { contents: "read" } });
    const mints = await inspect("/token-mints");
    expect(mints.json.at(-1)).toMatchObject({ installationId: 7, permissions: { contents: "read" } });
    expect((await inspect("/git-access")).status).toBe(200);
  });
});
