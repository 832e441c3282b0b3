/**
 * Warm start end to end, all real: the Worker under wrangler dev, the sandbox host with
 * bubblewrap, the bundled runtime, the real `claude` CLI and the scripted model. Turning warm
 * start on for a local repository prebuilds it (clone + a setup hook that takes two seconds);
 * a new session then starts from the snapshot (no clone, setup skipped), its agent's turn works
 * and pushes; after a new commit on the default branch the next session still starts warm, has
 * the new commit, and reruns the setup hook only when the hook's inputs changed.
 */
import type { Session, StoredEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../src/demo-repo";
import { createLocalSession } from "../src/session-calls";
import { type Stack, startStack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";
import {
  commitOnMain,
  createSetupRepo,
  localWarm,
  setWarmStart,
  waitForWarmSnapshot,
} from "../src/warm-start";

let stack: Stack;
let repoDir: string;
const REPO = "warm";

beforeAll(async () => {
  stack = await startStack({ forceScriptedModel: true });
  repoDir = createSetupRepo(stack.reposRoot, REPO, 2, 100);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function runSession(prompt: string): Promise<{ session: Session; events: StoredEvent[] }> {
  const session = await createLocalSession(stack, REPO, prompt);
  const watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
  await watcher
    .until("the turn to end", () => watcher.events.some((e) => e.event.type === "turn.end"), 120_000)
    .catch((err: Error) => {
      const seen = watcher.events.map((e) =>
        e.event.type === "log" ? `log: ${e.event.text.trim()}` : e.event.type,
      );
      throw new Error(`${err.message}; the session streamed: ${seen.join(" | ")}`);
    });
  watcher.close();
  return { session, events: watcher.events };
}

const logsOf = (events: StoredEvent[], source?: string) =>
  events
    .flatMap((e) => (e.event.type === "log" && (!source || e.event.source === source) ? [e.event.text] : []))
    .join("");

describe("warm start end to end", () => {
  it("turning warm start on prebuilds the repository", async () => {
    await setWarmStart(localWarm(stack, REPO), true);
    const snapshot = await waitForWarmSnapshot(localWarm(stack, REPO));
    expect(snapshot.commit).toBe(git(repoDir, ["rev-parse", "main"]));
  }, 180_000);

  it("a new session starts warm: no clone, setup skipped, the agent's turn works and pushes", async () => {
    const { session, events } = await runSession("Add notes/warm.md with a short summary of the project.");
    const logs = logsOf(events);
    expect(logs).toMatch(/warm start: from the repository's prebuilt snapshot at [0-9a-f]{12}/);
    expect(logs).toMatch(/fetched and checked out .* without cloning/);
    expect(logs).toMatch(/setup hook's inputs did not change since the prebuild/);
    // The runtime never cloned: no clone progress at all.
    expect(logsOf(events, "clone")).toBe("");
    expect(logs).not.toMatch(/running \.nightshift\/setup\.sh/);
    const push = events.find((e) => e.event.type === "git.push")?.event as { branch: string; sha: string };
    expect(push?.branch).toBe(session.branch);
    await waitFor(() => branchAt(session.branch) === push.sha, "the pushed branch here", 15_000);
    expect(git(repoDir, ["show", `${session.branch}:notes/warm.md`])).toContain("notes/warm.md");
    // The setup hook's output stays out of the agent's commit (the repository ignores it).
    expect(git(repoDir, ["ls-tree", "-r", "--name-only", session.branch])).not.toContain("node_modules");
    const shown = (await (
      await fetch(`${stack.url}/api/v1/sessions/${session.id}`, { headers: stack.headers })
    ).json()) as Session;
    expect(shown.sandbox).toMatchObject({ provider: "local", start: "warm" });
  }, 180_000);

  it("after a new commit on the default branch the next session starts warm at that commit", async () => {
    const head = commitOnMain(repoDir, "CHANGELOG.md", "# Changes\n");
    const { events } = await runSession("Add notes/again.md with a short summary of the project.");
    const logs = logsOf(events);
    expect(logs).toMatch(
      new RegExp(`fetched and checked out nightshift/\\S+ from origin/main \\(${head.slice(0, 12)}\\)`),
    );
    expect(logs).toMatch(/inputs did not change since the prebuild/);
    expect(logsOf(events, "clone")).toBe("");
  }, 180_000);

  it("a change to the setup hook's inputs runs the hook again on the warm start", async () => {
    commitOnMain(repoDir, "package.json", '{ "name": "warm-demo", "private": true, "version": "2.0.0" }\n');
    const { events } = await runSession("Add notes/third.md with a short summary of the project.");
    const logs = logsOf(events);
    expect(logs).toMatch(/warm start: from the repository's prebuilt snapshot/);
    expect(logs).toMatch(/setup hook's inputs changed since the prebuild \(package\.json\)/);
    expect(logs).toMatch(/running \.nightshift\/setup\.sh/);
  }, 180_000);
});

function branchAt(branch: string): string | null {
  try {
    return git(repoDir, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
  } catch {
    return null;
  }
}
