import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, mintToken, startWebhookSink } from "./double-test-helpers";
import { type GithubDouble, startGithubDouble } from "./github-double";

type Json = Record<string, unknown>;
const BOT = "nightshift-test[bot]";

describe("GitHub double: pull requests are issues", () => {
  let gh: GithubDouble;
  let sink: Awaited<ReturnType<typeof startWebhookSink>>;
  let prToken: string;
  let headSha: string;
  const numbers: { issue: number; pull: number; laterIssue: number } = { issue: 0, pull: 0, laterIssue: 0 };

  beforeAll(async () => {
    gh = await startGithubDouble({
      users: [
        { id: 1, login: "octo" },
        { id: 2, login: "mona" },
        { id: 3, login: "reader" },
      ],
      repos: [
        {
          owner: "octo",
          name: "alpha",
          files: { "README.md": "# alpha\n", "src/app.ts": "export const a = 1;\n" },
          collaborators: { mona: "write", reader: "read" },
        },
      ],
      installations: [{ id: 7, account: "octo" }],
    });
    sink = await startWebhookSink();
    gh.setWebhookUrl(sink.url);
    headSha = await gh.pushBranch("octo", "alpha", "feature/x", {
      "src/app.ts": "export const a = 1;\nexport const b = 2;\n",
    });
    await gh.pushBranch("octo", "alpha", "feature/y", { "docs.md": "docs\n" });
    prToken = await mintToken(gh, 7, { permissions: { pull_requests: "write", contents: "read" } });
  });
  afterAll(async () => {
    await sink?.close();
    await gh?.close();
  });

  it("numbers issues and pull requests from one sequence; the App's PR is the bot's", async () => {
    numbers.issue = gh.createIssue("octo", "alpha", { title: "Bug", author: "octo" });
    const created = await callApi(gh, "/repos/octo/alpha/pulls", {
      method: "POST",
      token: prToken,
      body: { title: "Fix", head: "feature/x", base: "main", body: "Closes #1", draft: true },
    });
    expect(created.status).toBe(201);
    numbers.pull = Number(created.json.number);
    numbers.laterIssue = gh.createIssue("octo", "alpha", { title: "Another", author: "mona" });
    expect([numbers.issue, numbers.pull, numbers.laterIssue]).toEqual([1, 2, 3]);
    expect(created.json).toMatchObject({
      draft: true,
      state: "open",
      user: { login: BOT, type: "Bot" },
      head: { ref: "feature/x", sha: headSha, repo: { full_name: "octo/alpha" } },
      base: { ref: "main" },
      html_url: `${gh.url}/octo/alpha/pull/2`,
      diff_url: `${gh.url}/octo/alpha/pull/2.diff`,
    });
    expect(gh.pulls("octo", "alpha").map((p) => p.number)).toEqual([2]);

    const issueToken = await mintToken(gh, 7, { permissions: { issues: "read" } });
    const asIssue = await callApi(gh, "/repos/octo/alpha/issues/2", { token: issueToken });
    expect(asIssue.status).toBe(200);
    expect(asIssue.json).toMatchObject({
      number: 2,
      title: "Fix",
      html_url: `${gh.url}/octo/alpha/pull/2`,
      pull_request: {
        url: `${gh.apiUrl}/repos/octo/alpha/pulls/2`,
        html_url: `${gh.url}/octo/alpha/pull/2`,
        diff_url: `${gh.url}/octo/alpha/pull/2.diff`,
        patch_url: `${gh.url}/octo/alpha/pull/2.patch`,
      },
    });
    const plain = await callApi(gh, "/repos/octo/alpha/issues/1", { token: issueToken });
    expect(plain.json).not.toHaveProperty("pull_request");
    expect(plain.json.html_url).toBe(`${gh.url}/octo/alpha/issues/1`);
    expect((await callApi(gh, "/repos/octo/alpha/pulls/1", { token: prToken })).status).toBe(404);
  });

  it("serves issue comments on a pull request number with either permission", async () => {
    const path = `/repos/octo/alpha/issues/${numbers.pull}/comments`;
    const viaPulls = await callApi(gh, path, {
      method: "POST",
      token: prToken,
      body: { body: "From pulls" },
    });
    expect(viaPulls.status).toBe(201);
    expect(viaPulls.json.html_url).toBe(`${gh.url}/octo/alpha/pull/2#issuecomment-${viaPulls.json.id}`);
    expect(viaPulls.json.performed_via_github_app).toMatchObject({ slug: gh.app.slug, id: gh.app.id });
    const issuesOnly = await mintToken(gh, 7, { permissions: { issues: "write" } });
    expect(
      (await callApi(gh, path, { method: "POST", token: issuesOnly, body: { body: "From issues" } })).status,
    ).toBe(201);
    const contentsOnly = await mintToken(gh, 7, { permissions: { contents: "write" } });
    const refused = await callApi(gh, path, { method: "POST", token: contentsOnly, body: { body: "no" } });
    expect(refused.status).toBe(403);
    expect((await callApi(gh, path, { method: "POST", token: prToken, body: {} })).status).toBe(422);
    expect((await callApi(gh, "/repos/octo/alpha/issues/99/comments", { token: prToken })).status).toBe(404);
    const onIssue = await callApi(gh, `/repos/octo/alpha/issues/${numbers.issue}/comments`, {
      method: "POST",
      token: prToken,
      body: { body: "pull_requests does not cover plain issues" },
    });
    expect(onIssue.status).toBe(403);

    const listed = await callApi<Json[]>(gh, `${path}?per_page=1`, { token: prToken });
    expect(listed.json.map((c) => c.body)).toEqual(["From pulls"]);
    expect(listed.link).toContain('rel="next"');
    expect(gh.comments("octo", "alpha", numbers.pull).map((c) => c.body)).toEqual([
      "From pulls",
      "From issues",
    ]);
  });

  it("keeps the issue view in step with PATCH pulls (title, body, state)", async () => {
    const patched = await callApi(gh, `/repos/octo/alpha/pulls/${numbers.pull}`, {
      method: "PATCH",
      token: prToken,
      body: { title: "Fix v2", body: "New body", state: "closed" },
    });
    expect(patched.json).toMatchObject({ title: "Fix v2", body: "New body", state: "closed" });
    const issueToken = await mintToken(gh, 7, { permissions: { issues: "read" } });
    const asIssue = await callApi(gh, `/repos/octo/alpha/issues/${numbers.pull}`, { token: issueToken });
    expect(asIssue.json).toMatchObject({ title: "Fix v2", body: "New body", state: "closed" });
    expect(asIssue.json.closed_at).toEqual(expect.any(String));
    const bad = await callApi(gh, `/repos/octo/alpha/pulls/${numbers.pull}`, {
      method: "PATCH",
      token: prToken,
      body: { state: "merged" },
    });
    expect(bad.status).toBe(422);
    const reopened = await callApi(gh, `/repos/octo/alpha/pulls/${numbers.pull}`, {
      method: "PATCH",
      token: prToken,
      body: { state: "open" },
    });
    expect(reopened.json).toMatchObject({ state: "open", closed_at: null, title: "Fix v2" });
  });

  it("delivers issue_comment.created for a PR with issue.pull_request set, and without it for an issue", async () => {
    await gh.commentWithWebhook("octo", "alpha", numbers.pull, { author: "mona", body: "@nightshift go" });
    const delivery = sink.last();
    expect(delivery.headers["x-github-event"]).toBe("issue_comment");
    expect(delivery.payload).toMatchObject({
      action: "created",
      issue: {
        number: numbers.pull,
        html_url: `${gh.url}/octo/alpha/pull/${numbers.pull}`,
        pull_request: {
          url: `${gh.apiUrl}/repos/octo/alpha/pulls/${numbers.pull}`,
          html_url: `${gh.url}/octo/alpha/pull/${numbers.pull}`,
          diff_url: `${gh.url}/octo/alpha/pull/${numbers.pull}.diff`,
          patch_url: `${gh.url}/octo/alpha/pull/${numbers.pull}.patch`,
        },
      },
      comment: { body: "@nightshift go", user: { login: "mona" }, author_association: "COLLABORATOR" },
      repository: { full_name: "octo/alpha" },
      installation: { id: 7 },
      sender: { login: "mona", type: "User" },
    });
    expect(delivery.payload.comment.html_url).toContain(`/pull/${numbers.pull}#issuecomment-`);
    await gh.commentWithWebhook("octo", "alpha", numbers.issue, { author: "octo", body: "on an issue" });
    expect(sink.last().payload.issue).not.toHaveProperty("pull_request");
    expect(sink.last().payload.comment.author_association).toBe("OWNER");
  });

  it("delivers pull_request_review_comment.created anchored in the real diff", async () => {
    const result = await gh.reviewCommentWithWebhook("octo", "alpha", numbers.pull, {
      author: "mona",
      body: "Rename b?",
    });
    expect(result.status).toBe(202);
    const delivery = sink.last();
    expect(delivery.headers["x-github-event"]).toBe("pull_request_review_comment");
    const { comment, pull_request: pull } = delivery.payload;
    expect(comment).toMatchObject({
      id: result.commentId,
      body: "Rename b?",
      path: "src/app.ts",
      line: 2,
      side: "RIGHT",
      commit_id: headSha,
      user: { login: "mona" },
      html_url: `${gh.url}/octo/alpha/pull/${numbers.pull}#discussion_r${result.commentId}`,
      pull_request_url: `${gh.apiUrl}/repos/octo/alpha/pulls/${numbers.pull}`,
    });
    expect(comment.diff_hunk).toMatch(/^@@ -1 \+1,2 @@/);
    expect(comment.diff_hunk.endsWith("\n+export const b = 2;")).toBe(true);
    expect(comment.pull_request_review_id).toEqual(expect.any(Number));
    expect(comment).not.toHaveProperty("in_reply_to_id");
    expect(pull).toMatchObject({
      number: numbers.pull,
      state: "open",
      draft: true,
      user: { login: BOT },
      head: { ref: "feature/x", sha: headSha, repo: { full_name: "octo/alpha" } },
      base: { ref: "main", repo: { full_name: "octo/alpha" } },
    });
    expect(delivery.payload).toMatchObject({ installation: { id: 7 }, sender: { login: "mona" } });

    const elsewhere = await gh.reviewCommentWithWebhook("octo", "alpha", numbers.pull, {
      author: "octo",
      body: "And the README",
      path: "README.md",
    });
    expect(sink.last().payload.comment).toMatchObject({
      path: "README.md",
      line: 1,
      diff_hunk: "@@ -1 +1 @@\n # alpha",
    });
    const reply = await gh.reviewCommentWithWebhook("octo", "alpha", numbers.pull, {
      author: "mona",
      body: "Fine",
      inReplyTo: elsewhere.commentId,
    });
    expect(sink.last().payload.comment).toMatchObject({
      in_reply_to_id: elsewhere.commentId,
      path: "README.md",
    });
    expect(gh.reviewComments("octo", "alpha", numbers.pull).map((c) => c.id)).toEqual([
      result.commentId,
      elsewhere.commentId,
      reply.commentId,
    ]);
    await expect(
      gh.reviewCommentWithWebhook("octo", "alpha", numbers.issue, { author: "mona", body: "x" }),
    ).rejects.toThrow(/not a pull request/);
  });

  it("replies to review comments in their thread over REST", async () => {
    const [root] = gh.reviewComments("octo", "alpha", numbers.pull);
    const path = (id: number) => `/repos/octo/alpha/pulls/${numbers.pull}/comments/${id}/replies`;
    const reply = await callApi(gh, path(root?.id ?? 0), {
      method: "POST",
      token: prToken,
      body: { body: "Done" },
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({
      in_reply_to_id: root?.id,
      path: "src/app.ts",
      body: "Done",
      user: { login: BOT, type: "Bot" },
    });
    const nested = await callApi(gh, path(Number(reply.json.id)), {
      method: "POST",
      token: prToken,
      body: { body: "Threads stay flat" },
    });
    expect(nested.json.in_reply_to_id).toBe(root?.id);
    expect(
      (await callApi(gh, path(424242), { method: "POST", token: prToken, body: { body: "?" } })).status,
    ).toBe(404);
    expect(
      (await callApi(gh, path(root?.id ?? 0), { method: "POST", token: prToken, body: {} })).status,
    ).toBe(422);
    const issuesOnly = await mintToken(gh, 7, { permissions: { issues: "write" } });
    const refused = await callApi(gh, path(root?.id ?? 0), {
      method: "POST",
      token: issuesOnly,
      body: { body: "x" },
    });
    expect(refused.status).toBe(403);
    const onIssue = `/repos/octo/alpha/pulls/${numbers.issue}/comments/${root?.id}/replies`;
    expect((await callApi(gh, onIssue, { method: "POST", token: prToken, body: { body: "x" } })).status).toBe(
      404,
    );

    const listed = await callApi<Json[]>(gh, `/repos/octo/alpha/pulls/${numbers.pull}/comments?per_page=2`, {
      token: prToken,
    });
    expect(listed.json).toHaveLength(2);
    expect(listed.link).toContain('rel="last"');
  });

  it("creates pull requests only from branches that exist and are ahead of the base", async () => {
    const create = (body: Json, token = prToken) =>
      callApi(gh, "/repos/octo/alpha/pulls", { method: "POST", token, body });
    const missing = await create({ title: "x", head: "nope", base: "main" });
    expect(missing.status).toBe(422);
    expect(missing.json).toMatchObject({ message: "Validation Failed", errors: [{ field: "head" }] });
    const empty = await create({ title: "x", head: "main", base: "main" });
    expect(empty.status).toBe(422);
    expect(JSON.stringify(empty.json.errors)).toContain("No commits between main and main");
    expect((await create({ title: "x", head: "mona:feature/y", base: "main" })).status).toBe(422);
    expect((await create({ title: "x", head: "feature/y", base: "main", draft: "yes" })).status).toBe(422);
    expect((await create({ title: "x", head: "feature/x", base: "main" })).status).toBe(422);

    const asMona = await create(
      { title: "Docs", head: "octo:feature/y", base: "main" },
      gh.issueUserToken("mona"),
    );
    expect(asMona.status).toBe(201);
    expect(asMona.json).toMatchObject({ number: 4, draft: false, user: { login: "mona", type: "User" } });
    const asReader = await create(
      { title: "Docs", head: "feature/y", base: "main" },
      gh.issueUserToken("reader"),
    );
    expect(asReader.status).toBe(403);
  });

  it("lists pull requests by head and state, newest first, paginated", async () => {
    const list = (query: string) =>
      callApi<Json[]>(gh, `/repos/octo/alpha/pulls${query}`, { token: prToken });
    expect((await list("?head=octo:feature/x&state=open")).json.map((p) => p.number)).toEqual([2]);
    expect((await list("?head=OCTO:feature/y")).json.map((p) => p.number)).toEqual([4]);
    expect((await list("?head=octo:nope")).json).toEqual([]);
    expect((await list("")).json.map((p) => p.number)).toEqual([4, 2]);
    expect((await list("?state=closed")).json).toEqual([]);
    expect((await list("?state=bogus")).status).toBe(422);
    const paged = await list("?state=all&per_page=1&page=2");
    expect(paged.json.map((p) => p.number)).toEqual([2]);
    expect(paged.link).toContain('rel="prev"');
    expect(paged.link).not.toContain('rel="next"');
  });
});
