/**
 * End to end through the Daytona provider: the Worker under wrangler dev with
 * SANDBOX_PROVIDER=daytona and DAYTONA_API_URL pointing at the testkit's Daytona double, which
 * runs each sandbox's runtime on the local sandbox host with the bootstrap env Daytona was given;
 * the real `claude` CLI against the scripted model; a GitHub repository on the GitHub double.
 */
import type { Session, StoredEvent } from "@nightshift/protocol";
import { type DaytonaDouble, startDaytonaDouble } from "@nightshift/testkit/daytona";
import type { GithubDouble } from "@nightshift/testkit/github";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudProviderRig, startCloudProviderRig } from "../src/cloud-provider-rig";
import type { GithubBrowser } from "../src/github-flow";
import type { Stack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";

const OWNER = "octo";
const REPO = "gadgets";
const API_KEY = `dtn_${crypto.randomUUID().replaceAll("-", "")}`;
const SNAPSHOT = "nightshift-sandbox";
let gh: GithubDouble;
let daytona: DaytonaDouble;
let stack: Stack;
let rig: CloudProviderRig;
let octo: GithubBrowser;

beforeAll(async () => {
  // Daytona's own start-up time, simulated: the create answers "creating", then "started".
  daytona = await startDaytonaDouble({ apiKey: API_KEY, snapshots: [SNAPSHOT], delays: { startMs: 200 } });
  rig = await startCloudProviderRig({
    owner: OWNER,
    userId: 201,
    repo: REPO,
    installationId: 9,
    double: daytona,
    vars: {
      SANDBOX_PROVIDER: "daytona",
      DAYTONA_API_URL: daytona.url,
      DAYTONA_API_KEY: API_KEY,
      DAYTONA_SNAPSHOT: SNAPSHOT,
      NIGHTSHIFT_DEPLOYMENT: "daytona-e2e",
    },
  });
  ({ gh, stack, user: octo } = rig);
}, 180_000);

afterAll(async () => {
  await rig?.close();
});

async function startSession(prompt: string): Promise<{ session: Session; watcher: StreamWatcher }> {
  const session = await rig.createSession(prompt);
  return { session, watcher: await StreamWatcher.open(stack.url, session.id, 0, octo.headers) };
}

/** Waits like watcher.until, and on a timeout says what the session streamed instead. */
async function until(watcher: StreamWatcher, what: string, check: () => boolean, timeoutMs: number) {
  await watcher.until(what, check, timeoutMs).catch((err: Error) => {
    const seen = watcher.events.map((e) =>
      e.event.type === "log" || e.event.type === "error"
        ? `${e.event.type}: ${("text" in e.event ? e.event.text : e.event.message).trim().slice(0, 300)}`
        : e.event.type === "session.status"
          ? `status ${e.event.status}`
          : e.event.type,
    );
    throw new Error(`${err.message}; the session streamed: ${seen.join(" | ")}`);
  });
}

const logs = (events: StoredEvent[]) =>
  events.flatMap((e) => (e.event.type === "log" ? [e.event.text] : [])).join("");
const failedStatus = (events: StoredEvent[]) =>
  events.some((e) => e.event.type === "session.status" && e.event.status === "failed");
const sandboxesOf = (session: Session) =>
  daytona.store.all().filter((s) => s.labels["nightshift.session"] === session.id);

describe("a session on Daytona end to end", () => {
  it("creates the sandbox, the runtime connects, claude runs a turn and the branch is pushed", async () => {
    const { session, watcher } = await startSession("Add docs/daytona.md describing the gadgets.");
    await until(watcher, "git.push", () => watcher.events.some((e) => e.event.type === "git.push"), 150_000);
    await waitFor(
      async () => (await gh.readFile(OWNER, REPO, session.branch, "docs/daytona.md")) !== null,
      "the pushed file on GitHub",
      10_000,
    );
    expect(logs(watcher.events)).toContain("isolation: daytona (container)");
    const [sandbox] = sandboxesOf(session);
    // Daytona got the bootstrap variables and the labels, nothing else: no secret, no token but the one-time one.
    expect(Object.keys(sandbox?.env ?? {}).sort()).toEqual([
      "NIGHTSHIFT_BOOTSTRAP_TOKEN",
      "NIGHTSHIFT_CONTROL_PLANE_URL",
      "NIGHTSHIFT_SESSION_ID",
    ]);
    expect(sandbox?.labels).toMatchObject({
      "nightshift.tenant": octo.tenantId,
      "nightshift.session": session.id,
      "nightshift.deployment": "daytona-e2e",
    });
    expect(sandbox?.snapshot).toBe(SNAPSHOT);
    const creates = daytona.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox");
    expect(JSON.stringify(creates)).not.toMatch(/sk-ant|NIGHTSHIFT_SANDBOX_TOKEN|ghs_/);
    expect(daytona.requests.every((r) => r.authorized)).toBe(true);
    watcher.close();
  }, 180_000);

  it("rides out a Daytona outage during create: retried, then started", async () => {
    daytona.injectFault({
      status: 503,
      calls: 2,
      only: "create",
      message: "Service temporarily unavailable",
    });
    const { session, watcher } = await startSession("Add docs/outage.md saying the outage passed.");
    await until(
      watcher,
      "the turn to end",
      () => watcher.events.some((e) => e.event.type === "turn.end"),
      150_000,
    );
    const text = logs(watcher.events);
    expect(
      text.match(/retrying sandbox start: Daytona failed to create the sandbox \(HTTP 503/g),
    ).toHaveLength(2);
    expect(text).toContain("isolation: daytona (container)");
    expect(failedStatus(watcher.events)).toBe(false);
    expect(sandboxesOf(session)).toHaveLength(1);
    watcher.close();
  }, 180_000);

  it("fails the session clearly when Daytona stays down", async () => {
    daytona.injectFault({
      status: 503,
      calls: 1_000,
      only: "create",
      message: "Service temporarily unavailable",
    });
    try {
      const { session, watcher } = await startSession("Add docs/never.md.");
      await until(watcher, "the failed status", () => failedStatus(watcher.events), 150_000);
      const error = watcher.events.find((e) => e.event.type === "error")?.event as
        | { code: string; message: string }
        | undefined;
      expect(error?.code).toBe("sandbox_start_failed");
      expect(error?.message).toMatch(
        /Daytona failed to create the sandbox \(HTTP 503: Service temporarily unavailable\)/,
      );
      expect(JSON.stringify(watcher.events)).not.toContain(API_KEY);
      expect(sandboxesOf(session)).toEqual([]);
      watcher.close();
    } finally {
      daytona.clearFaults();
    }
  }, 180_000);

  it("shows the runtime's logs when a broken snapshot's runtime exits at once", async () => {
    daytona.failRuntime({ exitCode: 127, output: "sh: 1: node: not found\n" });
    try {
      const { session, watcher } = await startSession("Add docs/broken.md.");
      await until(watcher, "the failed status", () => failedStatus(watcher.events), 60_000);
      const error = watcher.events.find((e) => e.event.type === "error")?.event as
        | { message: string }
        | undefined;
      expect(error?.message).toContain("exited at once in the Daytona sandbox (exit code 127)");
      expect(error?.message).toContain("node: not found");
      await waitFor(
        () => sandboxesOf(session).every((s) => s.state === "destroyed"),
        "the broken sandbox to be deleted",
        10_000,
      );
      watcher.close();
    } finally {
      daytona.failRuntime(null);
    }
  });
});
