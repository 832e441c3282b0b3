/**
 * `make demo`: one command, no keys. Starts the Worker, the sandbox host and the scripted model,
 * creates a sample local repository, runs a session that edits a file, prints the live events
 * as they arrive, and ends by showing the pushed branch's diff. `AGENT=<name>` (and `MODEL=`) pick
 * the agent CLI; without a key for its model API the scripted model answers in that API's format.
 */
import { AGENT_CATALOG, AgentName, type StoredEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { createSpinner } from "nanospinner";
import pc from "picocolors";
import { createDemoRepo, git } from "./demo-repo";
import { EventPrinter } from "./event-printer";
import { createLocalSession } from "./session-calls";
import { startStack } from "./stack";
import { StreamWatcher } from "./stream-socket";

const PROMPT = "Add a CHANGELOG.md describing the first release of this repository.";
const TIMEOUT_MS = 5 * 60_000;

const agent = AgentName.safeParse(process.env.AGENT || "claude-code");
if (!agent.success) {
  console.error(
    pc.red(
      `AGENT=${process.env.AGENT} is not an agent Nightshift runs; choose one of: ${Object.keys(AGENT_CATALOG).join(", ")}.`,
    ),
  );
  process.exit(2);
}
const model = process.env.MODEL?.trim() || AGENT_CATALOG[agent.data].defaultModel;

const spinner = createSpinner(
  "Starting Nightshift: Worker (local D1 + Durable Objects), sandbox host, model",
).start();
const stack = await startStack({ forceScriptedModel: false, autopilotChunkDelayMs: 40 }).catch(
  (err: Error) => {
    spinner.error({ text: `Nightshift did not start: ${err.message}` });
    process.exit(1);
  },
);
let exitCode = 1;
try {
  spinner.success({
    text: `Nightshift is up at ${stack.url} (sandboxes: ${stack.host.isolation}; model: ${stack.model ? "scripted, no key needed" : "the providers' APIs"})`,
  });
  const repo = createDemoRepo(stack.reposRoot, "demo");
  console.log(pc.dim(`Sample repository: ${repo}`));
  const session = await createLocalSession(stack, "demo", PROMPT, { agent: agent.data, model });
  console.log(
    `Session ${pc.bold(session.id)} on branch ${pc.bold(session.branch)} (${AGENT_CATALOG[agent.data].displayName}, ${model})\n`,
  );

  const printer = new EventPrinter();
  const watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
  let printed = 0;
  const pump = () => {
    while (printed < watcher.events.length) printer.print(watcher.events[printed++] as StoredEvent);
    return false;
  };
  const isDone = (e: StoredEvent) =>
    (e.event.type === "session.status" && ["failed", "stopped"].includes(e.event.status)) ||
    e.event.type === "turn.end";
  await watcher.until("the turn to end", () => pump() || watcher.events.some(isDone), TIMEOUT_MS);
  await watcher
    .until("the push", () => pump() || watcher.events.some((e) => e.event.type === "git.push"), 30_000)
    .catch(() => undefined);
  pump();
  watcher.close();

  const pushed = watcher.events.some((e) => e.event.type === "git.push");
  if (!pushed) throw new Error("the session ended without pushing a branch; the events above say why");
  await branchFetched(repo, session.branch);
  console.log(`\n${pc.bold(`The pushed branch's diff (git diff main..${session.branch}):`)}\n`);
  console.log(git(repo, ["diff", "--stat", `main..${session.branch}`]));
  console.log(git(repo, ["diff", `main..${session.branch}`]));
  exitCode = 0;
} catch (err) {
  console.error(pc.red(`\nThe demo failed: ${err instanceof Error ? err.message : String(err)}`));
} finally {
  await stack.close();
}
process.exit(exitCode);

/** The sandbox pushes through the control plane's git proxy into the host's mirror; the host fetches the branch here. */
async function branchFetched(repo: string, branch: string): Promise<void> {
  const exists = () => {
    try {
      git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
      return true;
    } catch {
      return false;
    }
  };
  await waitFor(exists, `the pushed branch ${branch} to reach ${repo}`, 10_000);
}
