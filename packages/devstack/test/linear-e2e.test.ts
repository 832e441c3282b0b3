/**
 * Linear end to end, all real but Linear and GitHub: the Worker under wrangler dev, the sandbox
 * host, the real `claude` CLI and the scripted model, against the testkit Linear double (OAuth,
 * GraphQL, signed webhooks) and GitHub double. An owner signs in with GitHub, connects the
 * installation, installs Linear through the OAuth redirect and maps the team to a repository; a
 * delegation from a Linear user not yet linked gets the connect link, and using it starts the
 * session as the owner: first thought within 10 s, actions, the response with the draft PR,
 * which is attached to the issue; a `prompted` follow-up becomes a new commit on the same branch;
 * the stop signal stops the session.
 */
import type { Session } from "@nightshift/protocol";
import type { GithubDouble } from "@nightshift/testkit/github";
import { type LinearDouble, sendLinearWebhook, startLinearDouble } from "@nightshift/testkit/linear";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForCostly } from "../src/costly-wait";
import type { GithubBrowser } from "../src/github-flow";
import { type GithubStack, startGithubStack } from "../src/github-stack";
import {
  type DelegatedIssue,
  LINEAR_REQUESTER,
  linearDelegation,
  linearFollowUp,
} from "../src/linear-deliveries";
import { installLinear, mapLinearTeam } from "../src/linear-flow";
import type { Stack } from "../src/stack";

const OWNER = "octo";
const REPO = "widgets";
const APP = { clientId: "lin-e2e-client", clientSecret: "lin-e2e-client-secret" };
const WEBHOOK_SECRET = "lin-e2e-webhook-secret";
let gh: GithubDouble;
let linear: LinearDouble;
let stack: Stack;
let octo: GithubBrowser;
let site: GithubStack;

beforeAll(async () => {
  linear = await startLinearDouble(APP);
  site = await startGithubStack({
    github: {
      app: { slug: "nightshift-linear-e2e" },
      users: [{ id: 101, login: OWNER }],
      repos: [{ owner: OWNER, name: REPO, files: { "README.md": "# widgets\n" } }],
      installations: [{ id: 7, account: OWNER, repos: [`${OWNER}/${REPO}`] }],
    },
    owner: OWNER,
    installationId: 7,
    vars: {
      LINEAR_CLIENT_ID: APP.clientId,
      LINEAR_CLIENT_SECRET: APP.clientSecret,
      LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LINEAR_API_URL: linear.url,
      LINEAR_WEB_URL: linear.url,
    },
    doubles: [linear],
  });
  ({ gh, stack, user: octo } = site);
}, 120_000);

afterAll(async () => {
  await site?.close();
});

const api = (path: string, init?: RequestInit) => site.api(path, init);

const deliver = (payload: Record<string, unknown>) =>
  sendLinearWebhook(`${stack.url}/webhooks/linear`, WEBHOOK_SECRET, payload);

const activities = (agentSessionId: string) =>
  linear.state.recorded.activities.filter((a) => a.agentSessionId === agentSessionId);

const delegation = (issue: DelegatedIssue, agentSessionId: string) =>
  linearDelegation(linear, issue, agentSessionId, { key: "ENG", name: "Engineering" });

const prompt = (agentSessionId: string, issueId: string, body: string, signal?: "stop") =>
  linearFollowUp(linear, issueId, agentSessionId, body, signal);

async function session(id: string): Promise<Session> {
  return (await (await api(`/sessions/${id}`)).json()) as Session;
}

describe("Linear end to end", () => {
  const agentSessionId = crypto.randomUUID();
  let issue: { issueId: string; teamId: string };
  let sessionId = "";
  let branch = "";

  it("installs the Linear app from Settings through Linear's OAuth redirect and maps the team", async () => {
    expect(await installLinear(stack.url, octo)).toBe("/settings?linear=connected");
    issue = linear.state.addIssue(undefined, {
      title: "Add a changelog",
      description: "Please add docs/CHANGELOG.md that lists what changed.",
    });
    expect(await mapLinearTeam(stack.url, octo, issue.teamId, `${OWNER}/${REPO}`)).toBe(200);
  });

  it("answers an unlinked requester with the connect link; using it starts the session as the owner", async () => {
    expect((await deliver(delegation(issue, agentSessionId))).status).toBe(200);
    const ask = await waitFor(() => activities(agentSessionId)[0], "the connect link", 10_000);
    expect(ask).toMatchObject({ content: { type: "elicitation" }, signal: "auth" });
    expect(ask.signalMetadata?.userId).toBe(LINEAR_REQUESTER);
    const token = new URL(String(ask.signalMetadata?.url)).searchParams.get("token") ?? "";
    const linked = await api("/linear/link", { method: "POST", body: JSON.stringify({ token }) });
    expect(linked.status).toBe(200);
    const linkedAt = Date.now();
    const thought = await waitFor(
      () => activities(agentSessionId).find((a) => String(a.content.body ?? "").startsWith("Starting")),
      "the first thought",
      10_000,
    );
    expect(thought.at - linkedAt).toBeLessThan(10_000);
    const url = await waitFor(
      () =>
        linear.state.recorded.sessionUpdates.find((u) => u.id === agentSessionId)?.input.addedExternalUrls as
          | { url: string }[]
          | undefined,
      "the session's link in Linear",
      10_000,
    );
    sessionId = url[0]?.url.split("/").pop() ?? "";
    expect(await session(sessionId)).toMatchObject({
      trigger: "linear",
      createdBy: expect.any(String),
      repo: { kind: "github", owner: OWNER, name: REPO },
    });
  }, 30_000);

  it("mirrors the session as actions and a response with the draft PR, attached to the issue", async () => {
    const pull = await waitFor(() => gh.pulls(OWNER, REPO)[0], "the draft pull request", 120_000);
    expect(pull.draft).toBe(true);
    branch = pull.head;
    const response = await waitFor(
      () =>
        activities(agentSessionId).find(
          (a) => a.content.type === "response" && String(a.content.body).includes(`/pull/${pull.number}`),
        ),
      "the response with the PR",
      90_000,
    );
    expect(String(response.content.body)).toMatch(/\/sessions\/[0-9a-z]+/);
    expect(activities(agentSessionId).some((a) => a.content.type === "action")).toBe(true);
    await waitFor(
      () =>
        linear.state.recorded.attachments.find(
          (a) => a.issueId === issue.issueId && a.url.includes(`/pull/${pull.number}`),
        ),
      "the PR attached to the issue",
      30_000,
    );
    expect(linear.state.stateOf(issue.issueId)?.type).toBe("started");
  }, 240_000);

  it("turns a prompted follow-up into a new commit on the same branch", async () => {
    const before = await gh.commitSubjects(OWNER, REPO, branch);
    const followUp = prompt(agentSessionId, issue.issueId, "please also add docs/NOTES.md with usage notes");
    expect((await deliver(followUp)).status).toBe(200);
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, branch, "docs/NOTES.md")) !== null,
      "docs/NOTES.md on the branch",
      120_000,
    );
    expect((await gh.commitSubjects(OWNER, REPO, branch)).length).toBeGreaterThan(before.length);
    expect(gh.pulls(OWNER, REPO).filter((p) => p.head === branch)).toHaveLength(1);
  }, 180_000);

  it("stops the session on the stop signal and says so in the panel", async () => {
    expect((await deliver(prompt(agentSessionId, issue.issueId, "", "stop"))).status).toBe(200);
    await waitForCostly(
      async () => ["stopping", "stopped"].includes((await session(sessionId)).status),
      "the session to stop",
      30_000,
    );
    await waitFor(
      () =>
        activities(agentSessionId).find(
          (a) => a.content.type === "response" && String(a.content.body).startsWith("Stopped"),
        ),
      "the stop confirmation",
      30_000,
    );
  }, 60_000);
});
