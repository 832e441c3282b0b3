/**
 * The session's Slack replies with an in-memory meta store and the real Slack client against the
 * testkit Slack double: one status message edited as the session moves, a summary that waits for
 * the pull request link, and an outbox that survives a 429 (Retry-After honoured) and an outage
 * without losing or reordering a message.
 */
import { env } from "cloudflare:workers";
import type { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { armFault, newWorkspace, slackMessages, type Workspace } from "../../../test/slack-fixture";
import { memoryMeta } from "../../../test/support/memory-meta";
import type { SessionMeta } from "../../session/store";
import { SlackApi } from "./api-client";
import { SessionSlack } from "./session-slack";

const NOW = 1_000_000;

function sessionMeta(
  channelId: string,
  workspace: Workspace,
  status: SessionMeta["status"] = "queued",
): SessionMeta {
  return {
    sessionId: "01slacksession",
    tenantId: "t1",
    title: "Fix the flaky login test",
    repo: { kind: "github", owner: "acme", name: "widgets" },
    agent: "claude-code",
    model: null,
    branch: "nightshift/fix-the-flaky-login-test-1234abcd",
    createdBy: "u1",
    status,
    slack: { teamId: workspace.teamId, channelId, threadTs: "1700000000.000001" },
  };
}

async function harness() {
  const workspace = await newWorkspace();
  const channelId = `C${crypto.randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`;
  const { meta } = memoryMeta();
  const wakeups: number[] = [];
  const logs: AgentEvent[] = [];
  let pullPending = false;
  const api = new SlackApi((env as unknown as { SLACK_API_URL: string }).SLACK_API_URL, workspace.botToken);
  const slack = new SessionSlack({
    meta,
    scheduler: { set: (_name, at) => void wakeups.push(at) },
    publicUrl: "https://nightshift.example",
    api: async () => api,
    pullPending: () => pullPending,
    now: () => NOW,
  });
  return {
    workspace,
    channelId,
    meta,
    slack,
    wakeups,
    logs,
    setPullPending: (v: boolean) => {
      pullPending = v;
    },
    flush: (status: SessionMeta["status"]) =>
      slack.flush(sessionMeta(channelId, workspace, status), (events) => logs.push(...events)),
    messages: () => slackMessages(channelId),
  };
}

describe("SessionSlack", () => {
  it("posts one status message in the thread and edits it as the session moves to the current step", async () => {
    const h = await harness();
    h.slack.promptAccepted(sessionMeta(h.channelId, h.workspace));
    await h.flush("queued");
    h.slack.onStatus(sessionMeta(h.channelId, h.workspace), "running", undefined);
    h.slack.onRuntimeEvents(sessionMeta(h.channelId, h.workspace, "running"), [
      { type: "tool.start", toolId: "t1", name: "Bash", input: {} },
    ]);
    await h.flush("running");
    const messages = await h.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.threadTs).toBe("1700000000.000001");
    expect(messages[0]?.edits[0]).toMatch(/Queued/);
    expect(messages[0]?.text).toMatch(/Running · Bash/);
    expect(messages[0]?.text).toContain("https://nightshift.example/sessions/01slacksession");
  });

  it("holds the summary until the pull request is open, then posts branch, PR link and session link", async () => {
    const h = await harness();
    const meta = sessionMeta(h.channelId, h.workspace, "running");
    h.slack.promptAccepted(meta);
    h.slack.onRuntimeEvents(meta, [
      { type: "turn.end", status: "completed", summary: "Fixed the race in login." },
    ]);
    h.setPullPending(true);
    await h.flush("idle");
    expect(await h.messages()).toHaveLength(1); // the status only
    expect(h.wakeups.at(-1)).toBe(NOW + 1_000);
    h.setPullPending(false);
    h.meta.set("github.pull", { number: 7, url: "https://github.example/acme/widgets/pull/7", ours: true });
    await h.flush("idle");
    const summary = (await h.messages())[1];
    expect(summary?.threadTs).toBe("1700000000.000001");
    expect(summary?.text).toContain("Fixed the race in login.");
    expect(summary?.text).toContain("nightshift/fix-the-flaky-login-test-1234abcd");
    expect(summary?.text).toContain("https://github.example/acme/widgets/pull/7");
    expect(summary?.text).toContain("https://nightshift.example/sessions/01slacksession");
  });

  it("honours Slack's 429 Retry-After and loses nothing through an outage, in order", async () => {
    const h = await harness();
    const meta = sessionMeta(h.channelId, h.workspace, "running");
    h.slack.promptAccepted(meta);
    h.slack.onRuntimeEvents(meta, [{ type: "turn.end", status: "completed", summary: "Done it." }]);
    await armFault({ method: "chat.postMessage", kind: "rate_limited", retryAfterSeconds: 30, count: 1 });
    await h.flush("idle");
    expect(await h.messages()).toHaveLength(0);
    expect(h.wakeups.at(-1)).toBe(NOW + 30_000);
    await armFault({ method: "chat.postMessage", kind: "http", status: 503, count: 3 });
    for (let i = 0; i < 3; i++) await h.flush("idle");
    expect(await h.messages()).toHaveLength(0);
    await h.flush("idle");
    const texts = (await h.messages()).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/Waiting for your next message/);
    expect(texts[1]).toContain("Done it.");
    expect(h.meta.get("slack.outbox") ?? []).toEqual([]);
  });

  it("drops a message Slack refuses with a log line instead of wedging the thread", async () => {
    const h = await harness();
    const meta = sessionMeta(h.channelId, h.workspace, "running");
    h.slack.promptAccepted(meta);
    h.slack.onRuntimeEvents(meta, [{ type: "turn.end", status: "failed", summary: "It broke." }]);
    await armFault({ method: "chat.postMessage", kind: "error", error: "channel_not_found", count: 1 });
    await h.flush("idle");
    expect(h.logs.map((e) => (e.type === "log" ? e.text : ""))).toEqual([
      expect.stringContaining("Slack refused it (Slack chat.postMessage refused: channel_not_found)"),
    ]);
    const texts = (await h.messages()).map((m) => m.text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("It broke.");
  });
});
