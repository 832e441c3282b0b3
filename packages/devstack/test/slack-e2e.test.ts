/**
 * Slack end to end, all real but Slack and GitHub: the Worker under wrangler dev, the sandbox
 * host, the real `claude` CLI and the scripted model, against the testkit Slack double (OAuth,
 * Web API, signed events) and GitHub double. An owner signs in with GitHub, connects the
 * installation and installs Slack through the OAuth redirect; their Slack account is linked
 * through the connect link; a mention becomes a draft PR whose link arrives in the thread; a
 * mention in the thread becomes a new commit on the same branch.
 */
import type { Session } from "@nightshift/protocol";
import type { GithubDouble } from "@nightshift/testkit/github";
import { mentionEvent, type SlackDouble, sendSlackEvent, startSlackDouble } from "@nightshift/testkit/slack";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForCostly } from "../src/costly-wait";
import type { GithubBrowser } from "../src/github-flow";
import { type GithubStack, startGithubStack } from "../src/github-stack";
import type { Stack } from "../src/stack";

const OWNER = "octo";
const REPO = "widgets";
const SIGNING_SECRET = "e2e-slack-signing-secret";
const WORKSPACE = { teamId: "T0E2E", teamName: "E2E", botUserId: "U0NIGHTSHIFT", botToken: "xoxb-e2e-token" };
const CHANNEL = "C0DEV";
const SLACK_USER = "U0OCTO";
let gh: GithubDouble;
let slack: SlackDouble;
let stack: Stack;
let octo: GithubBrowser;
let site: GithubStack;

const mention = (text: string, threadTs?: string) =>
  mentionEvent({
    teamId: WORKSPACE.teamId,
    botUserId: WORKSPACE.botUserId,
    channel: CHANNEL,
    user: SLACK_USER,
    text,
    ...(threadTs ? { threadTs } : {}),
  });

const deliver = (payload: unknown) =>
  sendSlackEvent(`${stack.url}/webhooks/slack/events`, SIGNING_SECRET, payload);

const thread = (ts: string) =>
  slack.state.messages.filter(
    (m) => m.channel === CHANNEL && (m.threadTs === ts || m.ts === ts) && !m.ephemeralTo,
  );

beforeAll(async () => {
  slack = await startSlackDouble({ workspaces: [WORKSPACE] });
  site = await startGithubStack({
    github: {
      app: { slug: "nightshift-slack-e2e" },
      users: [{ id: 101, login: OWNER }],
      repos: [{ owner: OWNER, name: REPO, files: { "README.md": "# widgets\n" } }],
      installations: [{ id: 7, account: OWNER, repos: [`${OWNER}/${REPO}`] }],
    },
    owner: OWNER,
    installationId: 7,
    vars: {
      SLACK_CLIENT_ID: "slack-client-id",
      SLACK_CLIENT_SECRET: "slack-client-secret",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_WEB_URL: slack.url,
    },
    doubles: [slack],
  });
  ({ gh, stack, user: octo } = site);
}, 120_000);

afterAll(async () => {
  await site?.close();
});

async function sessions(): Promise<Session[]> {
  const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/sessions`, { headers: octo.headers });
  return ((await res.json()) as { sessions: Session[] }).sessions;
}

describe("Slack end to end", () => {
  let threadTs = "";
  let branch = "";

  it("installs the Slack app from Settings through Slack's OAuth redirect", async () => {
    const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/slack/connect`, {
      method: "POST",
      headers: octo.headers,
    });
    expect(res.status).toBe(200);
    const state = new URL(((await res.json()) as { url: string }).url).searchParams.get("state") ?? "";
    // Slack's install page is not modelled: after approval Slack redirects to the callback like this.
    const code = slack.state.issueCode(WORKSPACE.teamId);
    const back = await fetch(`${stack.url}/auth/slack/callback?${new URLSearchParams({ code, state })}`, {
      headers: octo.headers,
      redirect: "manual",
    });
    expect(back.headers.get("location")).toBe("/settings?slack=connected");
  });

  it("links the Slack user through the private connect link", async () => {
    const first = mention("add docs/CHANGELOG.md in octo/widgets");
    expect((await deliver(first)).status).toBe(200);
    const link = await waitFor(
      () => slack.state.messages.find((m) => m.ephemeralTo === SLACK_USER),
      "the connect link",
      30_000,
    );
    const token = new URL(/<([^|>]+)\|/.exec(link.text)?.[1] ?? "http://x").searchParams.get("token") ?? "";
    const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/slack/link`, {
      method: "POST",
      headers: { ...octo.headers, "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
  });

  it("turns a mention into a draft PR whose link arrives in the thread", async () => {
    const event = mention("Please add docs/CHANGELOG.md that lists what changed, in octo/widgets");
    threadTs = (event.event as { ts: string }).ts;
    expect((await deliver(event)).status).toBe(200);
    const pull = await waitFor(() => gh.pulls(OWNER, REPO)[0], "the draft pull request", 120_000);
    expect(pull.draft).toBe(true);
    branch = pull.head;
    const summary = await waitFor(
      () => thread(threadTs).find((m) => m.text.includes(`/pull/${pull.number}`)),
      "the PR link in the thread",
      60_000,
    );
    expect(summary.text).toContain(branch);
    expect(summary.text).toMatch(/\/sessions\/[0-9a-z]+/);
    // One status message, edited as the session moved.
    const status = thread(threadTs)[0];
    expect(status?.edits.length).toBeGreaterThan(0);
    const session = (await sessions()).find((s) => s.branch === branch);
    expect(session).toMatchObject({ trigger: "slack", repo: { kind: "github", owner: OWNER, name: REPO } });
  }, 180_000);

  it("turns a mention in the thread into a new commit on the same branch", async () => {
    const before = await gh.commitSubjects(OWNER, REPO, branch);
    expect((await deliver(mention("please also add docs/NOTES.md with usage notes", threadTs))).status).toBe(
      200,
    );
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, branch, "docs/NOTES.md")) !== null,
      "docs/NOTES.md on the branch",
      120_000,
    );
    expect((await gh.commitSubjects(OWNER, REPO, branch)).length).toBeGreaterThan(before.length);
    expect(gh.pulls(OWNER, REPO).filter((p) => p.head === branch)).toHaveLength(1);
  }, 180_000);
});
