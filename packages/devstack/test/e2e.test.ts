/**
 * End to end, all real: the Worker under wrangler dev (local D1 + DOs), the sandbox host running
 * the bundled sandbox runtime, the real `claude` CLI, the scripted model, a temp local git repo.
 * The runtime reaches the control plane through a TCP proxy so a test can cut the bridge.
 */
import type { Session, StoredEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoRepo, git } from "../src/demo-repo";
import { freePort } from "../src/ports";
import { createLocalSession, sendPrompt, stopSession } from "../src/session-calls";
import { type Stack, startStack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";
import { startTcpProxy, type TcpProxy } from "../src/tcp-proxy";

let stack: Stack;
let proxy: TcpProxy;

beforeAll(async () => {
  const port = await freePort();
  proxy = await startTcpProxy(port);
  stack = await startStack({
    port,
    forceScriptedModel: true,
    vars: { SANDBOX_CONTROL_PLANE_URL: proxy.url },
  });
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

const createSession = (repo: string, prompt: string) => createLocalSession(stack, repo, prompt);

const types = (events: StoredEvent[]) => events.map((e) => e.event.type);
const count = (w: StreamWatcher, type: string) => w.events.filter((e) => e.event.type === type).length;
const firstIndex = (events: StoredEvent[], type: string) => types(events).indexOf(type as never);

function expectContiguous(events: StoredEvent[]) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe("a session end to end", () => {
  let session: Session;
  let watcher: StreamWatcher;
  let repoDir: string;

  it("runs the agent, streams every step in order and pushes the branch", async () => {
    repoDir = createDemoRepo(stack.reposRoot, "e2e");
    session = await createSession("e2e", "Add notes/e2e.md with a short summary of the project.");
    watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    // turn.end comes last (after the push and the conversation's save): wait for it, not the push.
    await watcher.until("the turn to end", () => count(watcher, "turn.end") === 1, 90_000);
    const events = watcher.events;
    expectContiguous(events);
    // The runtime ends a turn after its commit and push, so turn.end comes last; the agent's final
    // message follows its tool call.
    const lastMessage = types(events).lastIndexOf("message");
    const positions = [
      firstIndex(events, "session.status"),
      firstIndex(events, "tool.start"),
      firstIndex(events, "tool.end"),
      lastMessage,
      firstIndex(events, "usage"),
      firstIndex(events, "git.push"),
      firstIndex(events, "turn.end"),
    ];
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const push = events.find((e) => e.event.type === "git.push")!.event as { branch: string; sha: string };
    expect(push.branch).toBe(session.branch);
    // The agent ran in the runtime's inner sandbox: nothing says it could read the runtime.
    const logs = events.flatMap((e) => (e.event.type === "log" ? [e.event.text] : []));
    expect(logs.join("")).toContain("isolation: bubblewrap");
    expect(logs.filter((text) => /no inner sandbox/.test(text))).toEqual([]);
    // The sandbox pushes through the git proxy into the host's mirror; the host fetches it here.
    await waitFor(() => branchAt(repoDir, session.branch) === push.sha, "the pushed branch here", 10_000);
    expect(git(repoDir, ["show", `${session.branch}:notes/e2e.md`])).toContain("notes/e2e.md");
    const commit = git(repoDir, ["log", "-1", "--format=%an%n%B", session.branch]);
    expect(commit).toContain("Co-authored-by: Nightshift");
  });

  it("continues the same agent session on a follow-up prompt", async () => {
    await sendPrompt(stack, session.id, "Also add docs/usage.md explaining how to run hello.js.");
    await watcher.until("the second push", () => count(watcher, "git.push") === 2, 90_000);
    const second = watcher.events.filter((e) => e.event.type === "git.push")[1]!.event as { sha: string };
    await waitFor(() => branchAt(repoDir, session.branch) === second.sha, "the second push here", 10_000);
    expectContiguous(watcher.events);
    const last = stack.model!.requests.at(-1)!;
    const conversation = JSON.stringify((last.body as { messages?: unknown }).messages);
    expect(conversation).toContain("notes/e2e.md");
    expect(conversation).toContain("docs/usage.md");
    expect(git(repoDir, ["show", `${session.branch}:docs/usage.md`])).toContain("docs/usage.md");
    watcher.close();
  });

  it("loses and duplicates nothing when the bridge is cut mid-turn", async () => {
    createDemoRepo(stack.reposRoot, "e2e-drop");
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    stack.model!.enqueue({ kind: "text", text: words.join(" "), chunks: 40, chunkDelayMs: 60 });
    const s = await createSession("e2e-drop", "Explain the repository in forty words.");
    const w = await StreamWatcher.open(stack.url, s.id, 0, stack.headers);
    await w.until("streaming to start", () => count(w, "message.delta") >= 5, 60_000);
    // Only the bridge: a cut model stream would make the CLI ask the model again (its own retry),
    // which is not what this test is about.
    const dropped = proxy.dropWebSockets();
    expect(dropped).toBeGreaterThan(0);
    await w.until("the turn to end", () => count(w, "turn.end") === 1, 60_000);
    expectContiguous(w.events);
    const deltas = w.events
      .filter((e) => e.event.type === "message.delta")
      .map((e) => (e.event as { text: string }).text);
    expect(deltas.join("").replace(/\s+/g, " ").trim()).toBe(words.join(" "));
    const message = w.events.find((e) => e.event.type === "message")?.event as { text: string } | undefined;
    expect(message?.text).toBe(words.join(" "));
    w.close();
  });

  it("stop cancels a running turn and ends the sandbox", async () => {
    createDemoRepo(stack.reposRoot, "e2e-stop");
    stack.model!.enqueue({ kind: "text", text: "this reply comes too late", delayMs: 60_000 });
    const s = await createSession("e2e-stop", "Take your time.");
    const w = await StreamWatcher.open(stack.url, s.id, 0, stack.headers);
    const asked = stack.model!.requests.length;
    await w.until("the agent to call the model", () => stack.model!.requests.length > asked, 60_000);
    await stopSession(stack, s.id);
    await w.until("the stopped status", () => w.sawStatus("stopped"), 30_000);
    await w.until(
      "the cancelled turn",
      () => w.events.some((e) => e.event.type === "turn.end" && e.event.status === "cancelled"),
      30_000,
    );
    w.close();
  });

  it("masks a tenant secret's value in every event while the agent's tools can use it", async () => {
    createDemoRepo(stack.reposRoot, "e2e-secret");
    const value = `s3cr3t-${crypto.randomUUID()}`;
    const put = await fetch(`${stack.url}/api/v1/tenants/${stack.tenantId}/secrets/DEPLOY_TOKEN`, {
      method: "PUT",
      headers: stack.headers,
      body: JSON.stringify({ value }),
    });
    expect(put.status).toBe(201);
    stack.model!.enqueue(
      {
        kind: "tool",
        name: "Bash",
        input: { command: "echo token=$DEPLOY_TOKEN", description: "print the token" },
      },
      { kind: "text", text: `The token is ${value}.` },
    );
    const s = await createSession("e2e-secret", "Print the deploy token.");
    const w = await StreamWatcher.open(stack.url, s.id, 0, stack.headers);
    await w.until("the turn to end", () => count(w, "turn.end") === 1, 60_000);
    const toolEnd = w.events.find((e) => e.event.type === "tool.end")?.event as
      | { output: string }
      | undefined;
    // The sandbox had the value (the tool printed something in its place) and no event carries it.
    expect(toolEnd?.output).toContain("token=***");
    expect(JSON.stringify(w.events)).not.toContain(value);
    const page = await (
      await fetch(`${stack.url}/api/v1/sessions/${s.id}/events?limit=1000`, { headers: stack.headers })
    ).text();
    expect(page).not.toContain(value);
    w.close();
  });
});

/** The commit `branch` points at in `repo`, or null while it does not exist there. */
function branchAt(repo: string, branch: string): string | null {
  try {
    return git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
  } catch {
    return null;
  }
}
