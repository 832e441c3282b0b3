/**
 * Every agent CLI end to end, the same way: the Worker under wrangler dev, the sandbox host running
 * the bundled runtime, the real CLI of each agent, the scripted model answering in that CLI's wire
 * format through the model gateway, and a temp local git repo. One stack for the file; a session
 * per agent and case. (Claude Code's deeper cases — a cut bridge, masked secrets — are in e2e.test.ts.)
 */
import { AGENT_CATALOG, type AgentName, type Session, type StoredEvent } from "@nightshift/protocol";
import type { RecordedRequest } from "@nightshift/testkit";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoRepo, git } from "../src/demo-repo";
import { createLocalSession, sendPrompt, stopSession } from "../src/session-calls";
import { type Stack, startStack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";

/** Every agent but Claude Code, whose e2e.test.ts runs these same cases (and more) already. */
const AGENTS = (Object.keys(AGENT_CATALOG) as AgentName[]).filter((agent) => agent !== "claude-code");

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ forceScriptedModel: true });
});

afterAll(async () => {
  await stack?.close();
});

const createSession = (agent: AgentName, repo: string, prompt: string) =>
  createLocalSession(stack, repo, prompt, { agent });

const types = (events: StoredEvent[]) => events.map((e) => e.event.type);
const count = (w: StreamWatcher, type: string) => w.events.filter((e) => e.event.type === type).length;

function branchAt(repo: string, branch: string): string | null {
  try {
    return git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
  } catch {
    return null;
  }
}

/** The model requests whose body mentions every one of `texts` (the scripted model is shared). */
function requestsMentioning(...texts: string[]): RecordedRequest[] {
  return stack.model!.requests.filter((r) => {
    const body = JSON.stringify(r.body ?? "");
    return texts.every((t) => body.includes(t));
  });
}

describe.each(AGENTS)("%s end to end", (agent) => {
  const first = `notes/${agent}-first.md`;
  const second = `docs/${agent}-second.md`;
  let session: Session;
  let watcher: StreamWatcher;
  let repoDir: string;

  it("runs the CLI, streams its steps in order, writes the file and pushes the branch", async () => {
    repoDir = createDemoRepo(stack.reposRoot, `agent-${agent}`);
    session = await createSession(
      agent,
      `agent-${agent}`,
      `Add ${first} with a short summary of the project.`,
    );
    expect(session.agent).toBe(agent);
    expect(session.model).toBe(AGENT_CATALOG[agent].defaultModel);
    watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    await watcher.until("the turn to end", () => count(watcher, "turn.end") === 1, 150_000);
    const events = watcher.events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const end = events.find((e) => e.event.type === "turn.end")!.event as { status: string };
    expect(end.status, JSON.stringify(events.filter((e) => e.event.type === "error"))).toBe("completed");
    // The agent's last message (its summary) follows the tool call; the push and turn.end come last.
    const order = [
      types(events).indexOf("tool.start"),
      types(events).indexOf("tool.end"),
      types(events).lastIndexOf("message"),
      types(events).indexOf("git.push"),
      types(events).indexOf("turn.end"),
    ];
    expect(
      order.every((p) => p >= 0),
      types(events).join(","),
    ).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(types(events)).toContain("usage");
    const push = events.find((e) => e.event.type === "git.push")!.event as { branch: string; sha: string };
    expect(push.branch).toBe(session.branch);
    await waitFor(() => branchAt(repoDir, session.branch) === push.sha, "the push to reach the repo", 10_000);
    expect(git(repoDir, ["show", `${session.branch}:${first}`])).toContain(first);
  }, 180_000);

  it("resumes the CLI's own conversation on a follow-up", async () => {
    await sendPrompt(stack, session.id, `Also add ${second} explaining how to run hello.js.`);
    await watcher.until("the second turn to end", () => count(watcher, "turn.end") === 2, 150_000);
    const pushes = watcher.events.filter((e) => e.event.type === "git.push");
    expect(pushes).toHaveLength(2);
    const sha = (pushes[1]!.event as { sha: string }).sha;
    await waitFor(
      () => branchAt(repoDir, session.branch) === sha,
      "the second push to reach the repo",
      10_000,
    );
    expect(git(repoDir, ["show", `${session.branch}:${second}`])).toContain(second);
    // The CLI sent the earlier turn back with the new prompt: its conversation was resumed.
    expect(requestsMentioning(first, second).length).toBeGreaterThan(0);
    watcher.close();
    // Done with it: its sandbox stops rather than idling beside the next agent's.
    await stopSession(stack, session.id);
  }, 180_000);

  it("stop cancels a turn waiting on the model and ends the sandbox", async () => {
    createDemoRepo(stack.reposRoot, `agent-${agent}-stop`);
    // Several slow replies: a CLI may make a side call (a title) before the turn's own.
    const slow = { kind: "text" as const, text: "this reply comes too late", delayMs: 60_000 };
    stack.model!.enqueue(slow, slow, slow);
    const asked = stack.model!.requests.length;
    const s = await createSession(agent, `agent-${agent}-stop`, "Take your time.");
    const w = await StreamWatcher.open(stack.url, s.id, 0, stack.headers);
    try {
      await w
        .until("the CLI to call the model", () => stack.model!.requests.length > asked, 120_000)
        .catch((error: Error) => {
          throw new Error(`${error.message}; the session's events: ${types(w.events).join(", ")}`);
        });
      await stopSession(stack, s.id);
      await w.until("the stopped status", () => w.sawStatus("stopped"), 30_000);
      await w.until(
        "the cancelled turn",
        () => w.events.some((e) => e.event.type === "turn.end" && e.event.status === "cancelled"),
        30_000,
      );
    } finally {
      stack.model!.clearQueue();
      w.close();
    }
  }, 180_000);
});
