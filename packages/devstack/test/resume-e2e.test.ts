/**
 * A session outlives its sandbox, end to end and all real: the Worker under wrangler dev, the
 * sandbox host running the bundled runtime, the real `claude` CLI against the scripted model. The
 * sandbox is ended behind Nightshift's back (the host terminates it; the control plane is not
 * told): the session pauses instead of failing; a follow-up resumes it on a new sandbox, on the
 * session's branch, and the model request of the resumed turn carries the earlier turn.
 */
import type { Session } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoRepo, git } from "../src/demo-repo";
import { createLocalSession, sendPrompt } from "../src/session-calls";
import { type Stack, startStack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ forceScriptedModel: true });
});

afterAll(async () => {
  await stack?.close();
});

const count = (w: StreamWatcher, type: string) => w.events.filter((e) => e.event.type === type).length;

/** Ends the session's live sandbox through the host itself, as a host restart or eviction would. */
async function killSandboxBehindNightshiftsBack(sessionId: string): Promise<void> {
  const live = stack.host.manager
    .list()
    .filter((s) => s.sessionId === sessionId && (s.state === "running" || s.state === "starting"));
  expect(live).toHaveLength(1);
  await stack.host.manager.terminate(live[0]!.id);
}

describe("a session outlives its sandbox", () => {
  let session: Session;
  let watcher: StreamWatcher;
  let repoDir: string;

  it("pauses (not fails) when its sandbox disappears while idle", async () => {
    repoDir = createDemoRepo(stack.reposRoot, "resume-e2e");
    session = await createLocalSession(
      stack,
      "resume-e2e",
      "Add notes/first.md with a short summary of the project.",
    );
    watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    await watcher.until("the first turn", () => count(watcher, "turn.end") === 1, 90_000);
    await watcher.until("idle", () => watcher.sawStatus("idle"), 30_000);
    await killSandboxBehindNightshiftsBack(session.id);
    await watcher.until("paused", () => watcher.sawStatus("paused"), 60_000);
    expect(watcher.sawStatus("failed")).toBe(false);
  });

  it("a follow-up resumes it on a new sandbox, on its branch, with the conversation intact", async () => {
    const asked = stack.model!.requests.length;
    await sendPrompt(stack, session.id, "Also add docs/second.md explaining how to run hello.js.");
    await watcher.until("resuming", () => watcher.sawStatus("resuming"), 30_000);
    await watcher.until("the resumed turn", () => count(watcher, "turn.end") === 2, 120_000);
    const resumedLogs = watcher.logText();
    expect(resumedLogs).toMatch(/restored the agent's conversation/);
    // The resumed turn's model request carries the first turn: the CLI resumed its own session.
    const resumedRequests = stack.model!.requests.slice(asked);
    expect(resumedRequests.length).toBeGreaterThan(0);
    const conversation = JSON.stringify((resumedRequests[0]!.body as { messages?: unknown }).messages);
    expect(conversation).toContain("notes/first.md");
    expect(conversation).toContain("docs/second.md");
    // The new sandbox continued the session's branch: both turns' files are on it.
    const pushes = watcher.events.filter((e) => e.event.type === "git.push");
    expect(pushes).toHaveLength(2);
    const second = pushes[1]!.event as { sha: string; branch: string };
    expect(second.branch).toBe(session.branch);
    await waitFor(() => branchAt(repoDir, session.branch) === second.sha, "the second push here", 10_000);
    expect(git(repoDir, ["show", `${session.branch}:notes/first.md`])).toContain("notes/first.md");
    expect(git(repoDir, ["show", `${session.branch}:docs/second.md`])).toContain("docs/second.md");
    watcher.close();
  });
});

function branchAt(repo: string, branch: string): string | null {
  try {
    return git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
  } catch {
    return null;
  }
}
