/**
 * routeWebhook on real GitHub deliveries (test/fixtures/github-webhooks, imported as JSON so
 * every field GitHub sends is there) plus the edge cases that decide whether Nightshift acts:
 * the mention rule, bots, plain issues, the trigger label and malformed payloads.
 */
import { describe, expect, it } from "vitest";
import installationCreated from "../../test/fixtures/github-webhooks/installation.created.json";
import installationDeleted from "../../test/fixtures/github-webhooks/installation.deleted.json";
import reposAdded from "../../test/fixtures/github-webhooks/installation_repositories.added.json";
import commentOnPull from "../../test/fixtures/github-webhooks/issue_comment.created.json";
import commentOnIssue from "../../test/fixtures/github-webhooks/issue_comment.created.on-issue.json";
import labeled from "../../test/fixtures/github-webhooks/issues.labeled.ghes-with-installation.json";
import labeledNoInstallation from "../../test/fixtures/github-webhooks/issues.labeled.json";
import ping from "../../test/fixtures/github-webhooks/ping.json";
import reviewComment from "../../test/fixtures/github-webhooks/pull_request_review_comment.created.json";
import { MalformedPayload, mentions, routeWebhook, stripMention } from "./webhook-router";

const SLUG = "nightshift-test";
const config = { appSlug: SLUG, triggerLabel: "bug" };

type Json = Record<string, unknown>;

/** A deep copy of a real payload with some fields changed (dotted paths; undefined deletes). */
function edit(payload: object, changes: Record<string, unknown>): Json {
  const copy = structuredClone(payload) as Json;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split(".");
    let at = copy;
    for (const k of keys.slice(0, -1)) at = at[k] as Json;
    const last = keys.at(-1)!;
    if (value === undefined) delete at[last];
    else at[last] = value;
  }
  return copy;
}

function malformedMessage(event: string, payload: unknown): string {
  try {
    routeWebhook(event, payload, config);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedPayload);
    return (error as Error).message;
  }
  throw new Error("expected MalformedPayload");
}

describe("routeWebhook on real deliveries", () => {
  it("ignores a ping", () => {
    expect(routeWebhook("ping", ping, config)).toEqual({ kind: "ignore", reason: "ping" });
  });

  it("syncs the repositories an installation was created with", () => {
    expect(routeWebhook("installation", installationCreated, config)).toEqual({
      kind: "installation.repositories",
      installationId: 957387,
      added: [{ id: 186853002, owner: "Codertocat", name: "Hello-World" }],
      removedIds: [],
    });
  });

  it("forgets a deleted installation", () => {
    expect(routeWebhook("installation", installationDeleted, config)).toEqual({
      kind: "installation.deleted",
      installationId: 2,
    });
  });

  it("ignores other installation actions and a creation without a repository list", () => {
    const suspended = edit(installationDeleted, { action: "suspend" });
    expect(routeWebhook("installation", suspended, config)).toMatchObject({ kind: "ignore" });
    const allRepos = edit(installationCreated, { repositories: undefined });
    expect(routeWebhook("installation", allRepos, config)).toMatchObject({ kind: "ignore" });
  });

  it("adds and removes repositories of an installation", () => {
    expect(routeWebhook("installation_repositories", reposAdded, config)).toEqual({
      kind: "installation.repositories",
      installationId: 957387,
      added: [{ id: 186853007, owner: "Codertocat", name: "Space" }],
      removedIds: [],
    });
    const removed = edit(reposAdded, {
      action: "removed",
      repositories_added: [],
      repositories_removed: reposAdded.repositories_added,
    });
    expect(routeWebhook("installation_repositories", removed, config)).toEqual({
      kind: "installation.repositories",
      installationId: 957387,
      added: [],
      removedIds: [186853007],
    });
  });

  it("starts work for an issue labelled with the trigger label (any case)", () => {
    const expected = {
      kind: "issue.labeled",
      installationId: 5,
      repo: { id: 118, owner: "Codertocat", name: "Hello-World", defaultBranch: "master" },
      sender: { id: 4, login: "Codertocat" },
      issue: {
        number: 1,
        title: "Spelling error in the README file",
        body: "It looks like you accidently spelled 'commit' with two 't's.",
      },
    };
    expect(routeWebhook("issues", labeled, config)).toEqual(expected);
    expect(routeWebhook("issues", labeled, { ...config, triggerLabel: "BUG" })).toEqual(expected);
    const noBody = edit(labeled, { "issue.body": null });
    expect(routeWebhook("issues", noBody, config)).toMatchObject({ issue: { body: "" } });
  });

  it("ignores another label, a label on a pull request, other issue actions and bot senders", () => {
    expect(routeWebhook("issues", labeled, { ...config, triggerLabel: "agent" })).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("'bug'"),
    });
    const onPull = edit(labeled, { "issue.pull_request": { url: "https://example.test/pulls/1" } });
    expect(routeWebhook("issues", onPull, config)).toMatchObject({ kind: "ignore" });
    expect(routeWebhook("issues", edit(labeled, { action: "opened" }), config)).toMatchObject({
      kind: "ignore",
    });
    expect(routeWebhook("issues", edit(labeled, { "sender.type": "Bot" }), config)).toMatchObject({
      kind: "ignore",
      reason: "labelled by a bot",
    });
    const self = edit(labeled, { "sender.login": `${SLUG}[bot]` });
    expect(routeWebhook("issues", self, config)).toMatchObject({
      kind: "ignore",
      reason: "labelled by a bot",
    });
  });

  it("turns an @mention on a pull request conversation into a follow-up", () => {
    // The real delivery mentions @all-contributors: with that slug it is a mention of this App.
    const action = routeWebhook("issue_comment", commentOnPull, { ...config, appSlug: "all-contributors" });
    expect(action).toMatchObject({
      kind: "mention",
      installationId: 11111,
      repo: {
        id: 164268911,
        owner: "all-contributors",
        name: "all-contributors-bot",
        defaultBranch: "master",
      },
      sender: { id: 3534236, login: "jakebolam" },
      pull: { number: 1, title: "(wip) test: test pr for the bot", headRef: null },
      reply: { kind: "issue", number: 1 },
    });
    expect(action.kind === "mention" && action.text).toMatch(
      /^please add jakebolam for code, doc and infra\n/,
    );
    expect(routeWebhook("issue_comment", commentOnPull, config)).toEqual({
      kind: "ignore",
      reason: "no mention",
    });
  });

  it("ignores a mention in a comment on a plain issue", () => {
    const mentioned = edit(commentOnIssue, { "comment.body": `@${SLUG} fix the spelling` });
    expect(routeWebhook("issue_comment", mentioned, config)).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("label the issue instead"),
    });
  });

  it("answers a mention in a review thread in that thread, on the pull request's branch", () => {
    const mentioned = edit(reviewComment, { "comment.body": `@${SLUG} use fewer emoji here` });
    expect(routeWebhook("pull_request_review_comment", mentioned, config)).toEqual({
      kind: "mention",
      installationId: 1,
      repo: { id: 186853002, owner: "Codertocat", name: "Hello-World", defaultBranch: "master" },
      sender: { id: 21031067, login: "Codertocat" },
      pull: { number: 2, title: "Update the README with new information.", headRef: "changes" },
      text: "use fewer emoji here",
      reply: { kind: "review", pull: 2, commentId: 284312630 },
    });
    expect(routeWebhook("pull_request_review_comment", reviewComment, config)).toMatchObject({
      kind: "ignore",
      reason: "no mention",
    });
  });

  it("never follows bots, including the App's own comments", () => {
    const body = `@${SLUG} do it again`;
    const cases: [string, Json][] = [
      ["issue_comment", edit(commentOnPull, { "comment.body": body, "comment.user.type": "Bot" })],
      ["issue_comment", edit(commentOnPull, { "comment.body": body, "sender.type": "Bot" })],
      ["issue_comment", edit(commentOnPull, { "comment.body": body, "comment.user.login": `${SLUG}[bot]` })],
      [
        "pull_request_review_comment",
        edit(reviewComment, { "comment.body": body, "comment.user.login": "NightShift-Test[bot]" }),
      ],
      ["pull_request_review_comment", edit(reviewComment, { "comment.body": body, "sender.type": "Bot" })],
    ];
    for (const [event, payload] of cases)
      expect(routeWebhook(event, payload, config)).toEqual({ kind: "ignore", reason: "comment by a bot" });
    // A human whose login merely resembles the App's is still heard.
    const human = edit(commentOnPull, { "comment.body": body, "comment.user.login": `${SLUG}-fan` });
    expect(routeWebhook("issue_comment", human, config)).toMatchObject({ kind: "mention" });
  });

  it("ignores edited and deleted comments and events it does not handle", () => {
    const body = `@${SLUG} again`;
    expect(
      routeWebhook("issue_comment", edit(commentOnPull, { action: "edited", "comment.body": body }), config),
    ).toMatchObject({ kind: "ignore" });
    expect(
      routeWebhook(
        "pull_request_review_comment",
        edit(reviewComment, { action: "deleted", "comment.body": body }),
        config,
      ),
    ).toMatchObject({ kind: "ignore" });
    expect(routeWebhook("star", { action: "created" }, config)).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("'star'"),
    });
    expect(routeWebhook("issues", null, config)).toMatchObject({ kind: "ignore" });
  });
});

describe("malformed payloads", () => {
  it("names the missing or wrong field", () => {
    // The api.github.com example has no installation: Nightshift cannot act on it.
    expect(malformedMessage("issues", labeledNoInstallation)).toMatch(/issues\.labeled.*\binstallation\b/);
    expect(malformedMessage("issues", edit(labeled, { repository: undefined }))).toMatch(/\brepository\b/);
    expect(malformedMessage("issues", edit(labeled, { "issue.number": "1" }))).toMatch(/issue\.number/);
    const noHead = edit(reviewComment, { "comment.body": `@${SLUG} x`, "pull_request.head": undefined });
    expect(malformedMessage("pull_request_review_comment", noHead)).toMatch(/pull_request\.head/);
    expect(malformedMessage("issue_comment", edit(commentOnPull, { "comment.user": undefined }))).toMatch(
      /comment\.user/,
    );
    expect(malformedMessage("installation", edit(installationCreated, { installation: undefined }))).toMatch(
      /\binstallation\b/,
    );
    expect(
      malformedMessage("installation_repositories", edit(reposAdded, { repositories_added: "Space" })),
    ).toMatch(/repositories_added/);
    expect(malformedMessage("installation", null)).toMatch(/installation payload is malformed \(body/);
  });
});

describe("mentions", () => {
  it("matches the App's handle as a whole word, in any case", () => {
    for (const body of [
      `@${SLUG} please fix`,
      `please fix this, @${SLUG}`,
      `(@${SLUG})`,
      `@${SLUG}: rename it`,
      `line one\n@${SLUG} line two`,
      "@NightShift-TEST go",
    ])
      expect(mentions(body, SLUG), body).toBe(true);
  });

  it("does not match a longer handle, an e-mail address or no mention at all", () => {
    for (const body of [
      "@nightshift-testing please fix",
      "@nightshift-test_bot fix",
      "@nightshift-test-two fix",
      "write to me@nightshift-test.com",
      "@nightshift-test.com is a domain, not a handle",
      "@@nightshift-test",
      "nightshift-test please fix",
      "no mention here",
      "",
    ])
      expect(mentions(body, SLUG), body).toBe(false);
  });

  it("treats the slug literally, not as a pattern", () => {
    expect(mentions("@myxapp hi", "my.app")).toBe(false);
    expect(mentions("@my.app hi", "my.app")).toBe(true);
    expect(mentions("thanks @my.app.", "my.app")).toBe(true);
  });
});

describe("stripMention", () => {
  it("removes the handle and the punctuation after it, keeping what was asked", () => {
    expect(stripMention(`@${SLUG} rename the helper`, SLUG)).toBe("rename the helper");
    expect(stripMention(`@${SLUG}, rename the helper`, SLUG)).toBe("rename the helper");
    expect(stripMention(`@NIGHTSHIFT-TEST: rename the helper`, SLUG)).toBe("rename the helper");
    expect(stripMention(`rename the helper @${SLUG}`, SLUG)).toBe("rename the helper");
    expect(stripMention(`  @${SLUG}  `, SLUG)).toBe("");
    expect(stripMention(`please @${SLUG} rename it`, SLUG)).toBe("please rename it");
  });

  it("leaves other handles and addresses alone", () => {
    expect(stripMention(`@${SLUG} ask @nightshift-testing or me@nightshift-test.com`, SLUG)).toBe(
      "ask @nightshift-testing or me@nightshift-test.com",
    );
  });
});
