/**
 * GitHub end to end, all real but GitHub: the Worker under wrangler dev, the sandbox host, the
 * real `claude` CLI and the scripted model, against the testkit GitHub double (App auth, tokens,
 * REST, OAuth, git smart HTTP, signed webhooks). An owner signs in with GitHub and connects the
 * installation; a labelled issue becomes a draft PR that closes it; a mention on the PR becomes a
 * new commit on its branch; a push outlives the token it started with.
 */
import type { Session } from "@nightshift/protocol";
import type { GithubDouble } from "@nightshift/testkit/github";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForCostly } from "../src/costly-wait";
import type { GithubBrowser } from "../src/github-flow";
import { type GithubStack, startGithubStack } from "../src/github-stack";
import type { Stack } from "../src/stack";

const OWNER = "octo";
const REPO = "widgets";
const SLUG = "nightshift-e2e";
let gh: GithubDouble;
let stack: Stack;
let octo: GithubBrowser;
let site: GithubStack;

beforeAll(async () => {
  // Connecting the installation is checked on the way: it must land on /settings?github=connected.
  site = await startGithubStack({
    github: {
      app: { slug: SLUG },
      users: [
        { id: 101, login: OWNER },
        { id: 102, login: "reader" },
        { id: 103, login: "maintainer" },
      ],
      repos: [
        {
          owner: OWNER,
          name: REPO,
          files: { "README.md": "# widgets\n" },
          collaborators: { reader: "read", maintainer: "maintain" },
        },
      ],
      installations: [{ id: 7, account: OWNER, repos: [`${OWNER}/${REPO}`] }],
    },
    owner: OWNER,
    installationId: 7,
  });
  ({ gh, stack, user: octo } = site);
}, 120_000);

afterAll(async () => {
  await site?.close();
});

const comments = (n: number) => gh.comments(OWNER, REPO, n).map((c) => ({ by: c.user.login, body: c.body }));

async function sessions(): Promise<Session[]> {
  const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/sessions`, { headers: octo.headers });
  return ((await res.json()) as { sessions: Session[] }).sessions;
}

describe("GitHub end to end", () => {
  let pullNumber = 0;
  let branch = "";

  it("connects the installation and offers its repository in the picker", async () => {
    const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/repositories`, {
      headers: octo.headers,
    });
    const body = (await res.json()) as { repositories: { label: string }[] };
    expect(body.repositories.map((r) => r.label)).toContain(`${OWNER}/${REPO}`);
  });

  it("turns a labelled issue into a draft PR that closes it, with a link first and the result last", async () => {
    const issue = gh.createIssue(OWNER, REPO, {
      title: "Add a changelog",
      body: "Please add docs/CHANGELOG.md that lists what changed.",
      author: OWNER,
    });
    const delivered = await gh.labelIssue(OWNER, REPO, issue, "agent", OWNER);
    expect(delivered.status).toBe(202);

    const pull = await waitFor(() => gh.pulls(OWNER, REPO)[0], "the draft pull request", 90_000);
    expect(pull.draft).toBe(true);
    expect(pull.title).toBe("Add a changelog");
    expect(pull.body).toContain(`Closes #${issue}`);
    // octo signed in with GitHub, so the PR is opened with octo's own token and shows octo as author.
    expect(pull.user.login).toBe(OWNER);
    expect(await gh.readFile(OWNER, REPO, pull.head, "docs/CHANGELOG.md")).toContain("CHANGELOG");
    pullNumber = pull.number;
    branch = pull.head;

    const thread = await waitFor(
      () => (comments(issue).length >= 2 ? comments(issue) : undefined),
      "the link and result comments",
      60_000,
    );
    expect(thread[0]?.by).toBe(`${SLUG}[bot]`);
    expect(thread[0]?.body).toMatch(/\/sessions\/[0-9a-z]+/);
    expect(thread[1]?.body).toMatch(new RegExp(`@${OWNER} done — see #${pull.number}`));

    const session = (await sessions()).find((s) => s.branch === pull.head);
    expect(session).toMatchObject({ trigger: "github", repo: { kind: "github", owner: OWNER, name: REPO } });
    expect(session?.prUrl).toContain(`/pull/${pull.number}`);
  }, 120_000);

  it("answers an @mention on the PR with a new commit on the same branch", async () => {
    const before = await gh.commitSubjects(OWNER, REPO, branch);
    const delivered = await gh.commentWithWebhook(OWNER, REPO, pullNumber, {
      author: OWNER,
      body: `@${SLUG} please also add docs/NOTES.md with usage notes`,
    });
    expect(delivered.status).toBe(202);
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, branch, "docs/NOTES.md")) !== null,
      "docs/NOTES.md on the PR branch",
      90_000,
    );
    expect((await gh.commitSubjects(OWNER, REPO, branch)).length).toBe(before.length + 1);
    expect(gh.pulls(OWNER, REPO).filter((p) => p.head === branch)).toHaveLength(1);
    const reply = await waitFor(
      () => comments(pullNumber).find((c) => c.by === `${SLUG}[bot]` && c.body.includes(`@${OWNER} done`)),
      "the reply on the PR",
      60_000,
    );
    expect(reply.body).toContain(`#${pullNumber}`);
  }, 120_000);

  it("opens the PR as the App for someone who never signed in to Nightshift", async () => {
    const issue = gh.createIssue(OWNER, REPO, {
      title: "Add a licence file",
      body: "Add docs/LICENCE.md.",
      author: OWNER,
    });
    await gh.labelIssue(OWNER, REPO, issue, "agent", "maintainer");
    const pull = await waitFor(
      () => gh.pulls(OWNER, REPO).find((p) => p.title === "Add a licence file"),
      "the maintainer's draft pull request",
      90_000,
    );
    expect(pull.user.login).toBe(`${SLUG}[bot]`);
    expect(pull.body).toContain(`Closes #${issue}`);
    expect(pull.body).toContain("for @maintainer");
  }, 120_000);

  it("answers a mention from someone without write access politely and changes nothing", async () => {
    const head = await gh.branchHead(OWNER, REPO, branch);
    await gh.commentWithWebhook(OWNER, REPO, pullNumber, {
      author: "reader",
      body: `@${SLUG} delete everything`,
    });
    const polite = await waitFor(
      () => comments(pullNumber).find((c) => c.body.includes("@reader")),
      "the polite reply",
      30_000,
    );
    expect(polite.body).toMatch(/write access/);
    expect(await gh.branchHead(OWNER, REPO, branch)).toBe(head);
  }, 60_000);

  it("pushes with a fresh token when the first one has expired mid-session", async () => {
    // Tokens now live 1.5 s and the agent works for 3 s: the clone's token is dead before the push.
    const ttl = 1_500;
    gh.setTokenTtl(ttl);
    stack.model!.enqueue(
      {
        kind: "tool",
        name: "Bash",
        input: {
          command: "mkdir -p docs && echo expiry > docs/EXPIRY.md && sleep 3",
          description: "write, then wait",
        },
      },
      { kind: "text", text: "Added docs/EXPIRY.md." },
    );
    const mintsBefore = gh.tokenMints.length;
    const accessBefore = gh.gitAccess.length;
    const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/sessions`, {
      method: "POST",
      headers: { ...octo.headers, "content-type": "application/json" },
      body: JSON.stringify({
        repo: { kind: "github", owner: OWNER, name: REPO },
        prompt: "Add docs/EXPIRY.md",
      }),
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as Session;
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, session.branch, "docs/EXPIRY.md")) !== null,
      "the pushed branch",
      90_000,
    );
    const mints = gh.tokenMints.slice(mintsBefore).filter((x) => x.permissions?.contents);
    // Every token asked for stays least-privilege: this one repository, contents: write.
    for (const m of mints) {
      expect(m.permissions).toEqual({ contents: "write" });
      expect(m.repositoryIds).toEqual([gh.repoId(OWNER, REPO)]);
    }
    // The push's token was minted after the clone's had expired, and git accepted both.
    const first = mints[0]!;
    const last = mints.at(-1)!;
    expect(last.at).toBeGreaterThan(first.at + ttl);
    const access = gh.gitAccess.slice(accessBefore);
    expect(access.filter((a) => a.service === "receive-pack").map((a) => a.outcome)).toContain("ok");
    expect(access.some((a) => a.outcome === "expired")).toBe(false);
    gh.setTokenTtl(60 * 60 * 1000);
  }, 120_000);
});
