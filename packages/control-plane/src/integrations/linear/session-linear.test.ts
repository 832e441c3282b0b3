/**
 * The session's Linear activities with an in-memory meta store and the real Linear client against
 * the testkit Linear double: tool calls as `action` activities with their results, the final
 * `response` with the pull request (attached to the issue and in the agent session's external
 * URLs), `error` with the reason, and an outbox that survives an outage without losing or
 * reordering an activity.
 */
import { env } from "cloudflare:workers";
import type { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { LINEAR_APP } from "../../../test/linear-fixture";
import { activitiesOf, failNext, newIssue, recorded } from "../../../test/linear-support";
import { memoryMeta } from "../../../test/support/memory-meta";
import type { SessionMeta } from "../../session/store";
import { requestTokens } from "./api-client";
import type { LinearCaller } from "./operations";
import { SessionLinear } from "./session-linear";

const apiUrl = () => (env as unknown as { LINEAR_API_URL: string }).LINEAR_API_URL;
const PR = "https://github.com/acme/widgets/pull/7";

async function caller(): Promise<LinearCaller> {
  const { code } = (await (await fetch(`${apiUrl()}/_double/code`, { method: "POST" })).json()) as {
    code: string;
  };
  const tokens = await requestTokens(apiUrl(), LINEAR_APP, { code, redirectUri: "http://x/cb" }, Date.now());
  return { apiUrl: apiUrl(), token: tokens.accessToken };
}

async function harness() {
  const issue = await newIssue();
  const agentSessionId = crypto.randomUUID();
  const linearCaller = await caller();
  const { meta } = memoryMeta();
  const wakeups: number[] = [];
  const logs: AgentEvent[] = [];
  let now = 1_000_000;
  const linear = new SessionLinear({
    meta,
    scheduler: { set: (_name, at) => void wakeups.push(at) },
    publicUrl: "https://nightshift.example",
    sender: async () => (call) => call(linearCaller),
    pullPending: () => false,
    now: () => now,
    newId: () => crypto.randomUUID(),
  });
  const session = (status: SessionMeta["status"]): SessionMeta => ({
    sessionId: "01linearsession",
    tenantId: "t1",
    title: "Fix the typo",
    repo: { kind: "github", owner: "acme", name: "widgets" },
    agent: "claude-code",
    model: null,
    branch: "nightshift/fix-the-typo-1234abcd",
    createdBy: "u1",
    status,
    linear: { organizationId: "org", agentSessionId, issueId: issue.issueId },
  });
  return {
    issue,
    agentSessionId,
    meta,
    linear,
    wakeups,
    logs,
    session,
    advance: (ms: number) => {
      now += ms;
    },
    flush: (status: SessionMeta["status"] = "running") =>
      linear.flush(session(status), (events) => logs.push(...events)),
  };
}

const turn: AgentEvent[] = [
  { type: "tool.start", toolId: "t1", name: "Bash", input: { command: "npm test" } },
  { type: "tool.end", toolId: "t1", output: "12 passing", isError: false },
  { type: "tool.start", toolId: "t2", name: "Edit", input: { file_path: "README.md" } },
  { type: "tool.end", toolId: "t2", output: "edited", isError: false },
  { type: "turn.end", status: "completed", summary: "Fixed the typo in the README." },
];

describe("SessionLinear", () => {
  it("mirrors tool calls as actions with their results, then the response with the PR, linked on the issue and the session", async () => {
    const h = await harness();
    h.linear.promptAccepted(h.session("queued"));
    h.meta.set("github.pull", { number: 7, url: PR, ours: true });
    h.linear.onRuntimeEvents(h.session("running"), turn);
    await h.flush();
    const activities = await activitiesOf(h.agentSessionId);
    expect(activities.map((a) => a.content.type)).toEqual(["action", "action", "response"]);
    expect(activities[0]?.content).toMatchObject({
      action: "Bash",
      parameter: '{"command":"npm test"}',
      result: "12 passing",
    });
    expect(activities[2]?.content.body).toContain("Fixed the typo in the README.");
    expect(activities[2]?.content.body).toContain(PR);
    const log = await recorded();
    expect(log.attachments.filter((a) => a.issueId === h.issue.issueId).map((a) => a.url)).toEqual([PR]);
    const urls = log.sessionUpdates
      .filter((u) => u.id === h.agentSessionId)
      .flatMap((u) => u.input.addedExternalUrls);
    expect(urls).toEqual([{ label: "Pull request", url: PR }]);
  });

  it("reports a failed session as an error activity with the reason", async () => {
    const h = await harness();
    h.linear.promptAccepted(h.session("queued"));
    h.linear.onStatus(h.session("running"), "failed", "the sandbox ran out of memory");
    await h.flush("failed");
    const [error] = await activitiesOf(h.agentSessionId);
    expect(error?.content.type).toBe("error");
    expect(error?.content.body).toContain("the sandbox ran out of memory");
  });

  it("survives a Linear outage: retries with backoff and loses or reorders nothing", async () => {
    const h = await harness();
    h.linear.promptAccepted(h.session("queued"));
    h.linear.onRuntimeEvents(h.session("running"), turn);
    await failNext(3, { status: 500, code: "INTERNAL_SERVER_ERROR" });
    for (let i = 0; i < 10 && (h.meta.get("linear.outbox") ?? []).length > 0; i++) {
      await h.flush();
      h.advance(60_000);
    }
    expect(h.meta.get("linear.outbox") ?? []).toEqual([]);
    expect(h.wakeups.length).toBeGreaterThanOrEqual(4);
    const activities = await activitiesOf(h.agentSessionId);
    expect(activities.map((a) => a.content.type)).toEqual(["action", "action", "response"]);
    expect(h.logs).toEqual([]);
  });
});
