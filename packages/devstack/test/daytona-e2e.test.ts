/**
 * End to end through the Daytona provider: the Worker under wrangler dev with
 * SANDBOX_PROVIDER=daytona and DAYTONA_API_URL pointing at the testkit's Daytona double, which
 * runs each sandbox's runtime on the local sandbox host with the bootstrap env Daytona was given;
 * the real `claude` CLI against the scripted model; a GitHub repository on the GitHub double.
 */
import type { Session } from "@nightshift/protocol";
import { type DaytonaDouble, startDaytonaDouble } from "@nightshift/testkit/daytona";
import type { GithubDouble } from "@nightshift/testkit/github";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudProviderRig, startCloudProviderRig } from "../src/cloud-provider-rig";
import { waitForCostly } from "../src/costly-wait";
import type { GithubBrowser } from "../src/github-flow";
import type { Stack } from "../src/stack";
import { setWarmStart, type WarmScope, waitForWarmSnapshot } from "../src/warm-start";

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
      // One sandbox for the tenant: a second session makes an idle one yield (the idle policy's stop).
      SANDBOX_SLOT_LIMIT_PER_TENANT: "1",
      // The idle one yields 3 s after another session asks for the slot (the default is a minute).
      SANDBOX_IDLE_YIELD_SECONDS: "3",
    },
  });
  ({ gh, stack, user: octo } = rig);
}, 180_000);

afterAll(async () => {
  await rig?.close();
});

const sandboxesOf = (session: Session) =>
  daytona.store.all().filter((s) => s.labels["nightshift.session"] === session.id);

describe("a session on Daytona end to end", () => {
  it("creates the sandbox, the runtime connects, claude runs a turn and the branch is pushed", async () => {
    const { session, watcher } = await rig.startSession("Add docs/daytona.md describing the gadgets.");
    await watcher.until("git.push", () => watcher.events.some((e) => e.event.type === "git.push"), 150_000);
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, session.branch, "docs/daytona.md")) !== null,
      "the pushed file on GitHub",
      10_000,
    );
    expect(watcher.logText()).toContain("isolation: daytona (container)");
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
    await rig.stopSession(session);
  }, 180_000);

  it("rides out a Daytona outage during create: retried, then started", async () => {
    daytona.injectFault({
      status: 503,
      calls: 2,
      only: "create",
      message: "Service temporarily unavailable",
    });
    const { session, watcher } = await rig.startSession("Add docs/outage.md saying the outage passed.");
    await watcher.until(
      "the turn to end",
      () => watcher.events.some((e) => e.event.type === "turn.end"),
      150_000,
    );
    const text = watcher.logText();
    expect(
      text.match(/retrying sandbox start: Daytona failed to create the sandbox \(HTTP 503/g),
    ).toHaveLength(2);
    expect(text).toContain("isolation: daytona (container)");
    expect(watcher.sawStatus("failed")).toBe(false);
    expect(sandboxesOf(session)).toHaveLength(1);
    watcher.close();
    await rig.stopSession(session);
  }, 180_000);

  it("fails the session clearly when Daytona stays down", async () => {
    daytona.injectFault({
      status: 503,
      calls: 1_000,
      only: "create",
      message: "Service temporarily unavailable",
    });
    try {
      const { session, watcher } = await rig.startSession("Add docs/never.md.");
      await watcher.until("the failed status", () => watcher.sawStatus("failed"), 150_000);
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
      const { session, watcher } = await rig.startSession("Add docs/broken.md.");
      await watcher.until("the failed status", () => watcher.sawStatus("failed"), 60_000);
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

  it("pause by idle policy → follow-up → resumed from a snapshot, with the conversation intact", async () => {
    const { session, watcher } = await rig.startSession(
      "Add notes/first.md with a short summary of the gadgets.",
    );
    await watcher.until("idle", () => watcher.sawStatus("idle"), 150_000);
    // Another session waits for the tenant's one slot: the idle one yields it (the idle policy's
    // stop, after SANDBOX_IDLE_YIELD_SECONDS), and is snapshotted first.
    const other = await rig.createSession("Waits for the slot.");
    await watcher.until("paused", () => watcher.sawStatus("paused"), 120_000);
    expect(watcher.logText()).toMatch(/snapshotted the sandbox in \d+\.\d s before stopping it/);
    const [first] = sandboxesOf(session);
    const taken = daytona.requests.find(
      (r) => r.method === "POST" && r.path === `/api/sandbox/${first?.id}/snapshot`,
    );
    const ref = (taken?.body as { name?: string } | undefined)?.name ?? "";
    expect(ref).toMatch(/^nightshift-resume-/);
    expect(daytona.snapshots.find(ref)?.state).toBe("active");
    await rig.stopSession(other);

    const asked = stack.model!.requests.length;
    await rig.sendPrompt(session, "Also add notes/second.md saying the session resumed.");
    await watcher.until(
      "the resumed turn",
      () => watcher.events.filter((e) => e.event.type === "turn.end").length === 2,
      150_000,
    );
    const resuming = watcher.events.find(
      (e) => e.event.type === "session.status" && e.event.status === "resuming",
    )?.event as { reason?: string } | undefined;
    expect(resuming?.reason).toMatch(/from a snapshot/);
    // The double proves the new sandbox was created from the session's snapshot.
    const resumed = sandboxesOf(session).find((s) => s.id !== first?.id);
    expect(resumed?.snapshot).toBe(ref);
    // The conversation is intact: the resumed turn's model request carries the first turn.
    const conversation = JSON.stringify(stack.model!.requests.slice(asked).map((r) => r.body));
    expect(conversation).toContain("notes/first.md");
    expect(conversation).toContain("notes/second.md");
    expect(watcher.sawStatus("failed")).toBe(false);
    watcher.close();
    // An ended session keeps no snapshot.
    await rig.stopSession(session);
    await waitFor(() => daytona.snapshots.find(ref) === null, "the session's snapshot to be deleted", 30_000);
  }, 420_000);
  it("warm start on Daytona: the prebuild's snapshot carries the clone, and a new session starts from it without cloning", async () => {
    const scope: WarmScope = {
      url: stack.url,
      tenantId: octo.tenantId,
      headers: octo.headers,
      repo: { kind: "github", owner: OWNER, name: REPO },
      provider: "daytona",
    };
    await setWarmStart(scope, true);
    const prebuilt = await waitForWarmSnapshot(scope, { timeoutMs: 180_000 });
    const warmName = daytona.snapshots
      .all()
      .map((s) => s.name)
      .find((name) => name.startsWith("nightshift-warm-"));
    expect(warmName).toBeDefined();
    expect(daytona.snapshots.find(warmName!)?.state).toBe("active");

    const { session, watcher } = await rig.startSession("Add docs/warm.md describing the gadgets.");
    await watcher.until("git.push", () => watcher.events.some((e) => e.event.type === "git.push"), 150_000);
    const text = watcher.logText();
    expect(text).toContain(
      `warm start: from the repository's prebuilt snapshot at ${prebuilt.commit?.slice(0, 12)}`,
    );
    expect(text).toMatch(/fetched and checked out .* without cloning/);
    // Daytona created the session's sandbox from the prebuild's snapshot.
    expect(sandboxesOf(session)[0]?.snapshot).toBe(warmName);
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, session.branch, "docs/warm.md")) !== null,
      "the pushed file on GitHub",
      10_000,
    );
    expect(watcher.sawStatus("failed")).toBe(false);
    watcher.close();
    await rig.stopSession(session);
    await setWarmStart(scope, false);
  }, 420_000);
});
