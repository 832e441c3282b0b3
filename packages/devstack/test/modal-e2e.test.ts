/**
 * End to end through the Modal provider: the Worker under wrangler dev with
 * SANDBOX_PROVIDER=modal and MODAL_APP_URL pointing at the testkit's double of our Modal app,
 * which runs each sandbox's runtime on the local sandbox host with the bootstrap env Modal was
 * given; the real `claude` CLI against the scripted model; a GitHub repository on the GitHub double.
 */
import type { Session } from "@nightshift/protocol";
import type { GithubDouble } from "@nightshift/testkit/github";
import { type ModalAppDouble, startModalAppDouble } from "@nightshift/testkit/modal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudProviderRig, startCloudProviderRig } from "../src/cloud-provider-rig";
import { waitForCostly } from "../src/costly-wait";
import type { GithubBrowser } from "../src/github-flow";
import type { Stack } from "../src/stack";

const OWNER = "octo";
const REPO = "sprockets";
const TOKEN = { id: `wk-${crypto.randomUUID()}`, secret: `ws-${crypto.randomUUID()}` };
let gh: GithubDouble;
let modal: ModalAppDouble;
let stack: Stack;
let rig: CloudProviderRig;
let octo: GithubBrowser;

beforeAll(async () => {
  // Modal's own create time, simulated: the app answers after it.
  modal = await startModalAppDouble({ proxyToken: TOKEN, delays: { createMs: 200 } });
  rig = await startCloudProviderRig({
    owner: OWNER,
    userId: 301,
    repo: REPO,
    installationId: 11,
    double: modal,
    vars: {
      SANDBOX_PROVIDER: "modal",
      MODAL_APP_URL: modal.url,
      MODAL_PROXY_TOKEN_ID: TOKEN.id,
      MODAL_PROXY_TOKEN_SECRET: TOKEN.secret,
      NIGHTSHIFT_DEPLOYMENT: "modal-e2e",
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
  modal.sandboxes().filter((s) => s.labels["nightshift.session"] === session.id);

describe("a session on Modal end to end", () => {
  it("creates the sandbox, the runtime connects, claude runs a turn and the branch is pushed", async () => {
    const { session, watcher } = await rig.startSession("Add docs/modal.md describing the sprockets.");
    await watcher.until("git.push", () => watcher.events.some((e) => e.event.type === "git.push"), 90_000);
    await waitForCostly(
      async () => (await gh.readFile(OWNER, REPO, session.branch, "docs/modal.md")) !== null,
      "the pushed file on GitHub",
      10_000,
    );
    expect(watcher.logText()).toMatch(/sandbox started \(isolation: (bubblewrap|process)\)/);
    const [sandbox] = sandboxesOf(session);
    // Modal got the bootstrap variables and the labels, nothing else: no secret, no token but the one-time one.
    expect(sandbox?.envNames).toEqual([
      "NIGHTSHIFT_BOOTSTRAP_TOKEN",
      "NIGHTSHIFT_CONTROL_PLANE_URL",
      "NIGHTSHIFT_SESSION_ID",
    ]);
    expect(sandbox?.labels).toMatchObject({
      "nightshift.tenant": octo.tenantId,
      "nightshift.session": session.id,
      "nightshift.deployment": "modal-e2e",
    });
    const creates = modal.requests.filter((r) => r.method === "POST" && r.path === "/v1/sandboxes");
    expect(creates).toHaveLength(1);
    expect(JSON.stringify(creates)).not.toMatch(/sk-ant|NIGHTSHIFT_SANDBOX_TOKEN|ghs_/);
    expect(modal.requests.every((r) => r.authorized)).toBe(true);
    watcher.close();
    await rig.stopSession(session);
  });

  it("rides out a Modal outage during create: retried, then started", async () => {
    modal.injectFault({
      status: 503,
      calls: 2,
      only: "create",
      message: "creating the sandbox: Modal is unavailable; retry later",
    });
    const { session, watcher } = await rig.startSession("Add docs/outage.md saying the outage passed.");
    await watcher.until(
      "the turn to end",
      () => watcher.events.some((e) => e.event.type === "turn.end"),
      90_000,
    );
    const text = watcher.logText();
    expect(
      text.match(/retrying sandbox start: the Modal app failed to create the sandbox \(HTTP 503/g),
    ).toHaveLength(2);
    expect(watcher.sawStatus("failed")).toBe(false);
    expect(sandboxesOf(session)).toHaveLength(1);
    watcher.close();
    await rig.stopSession(session);
  });

  it("fails the session clearly when Modal stays down, never showing the proxy token", async () => {
    modal.injectFault({
      status: 503,
      calls: 1_000,
      only: "create",
      message: "creating the sandbox: Modal is unavailable; retry later",
    });
    try {
      const { session, watcher } = await rig.startSession("Add docs/never.md.");
      await watcher.until("the failed status", () => watcher.sawStatus("failed"), 90_000);
      const error = watcher.events.find((e) => e.event.type === "error")?.event as
        | { code: string; message: string }
        | undefined;
      expect(error?.code).toBe("sandbox_start_failed");
      expect(error?.message).toMatch(
        /the Modal app failed to create the sandbox \(HTTP 503: creating the sandbox: Modal is unavailable/,
      );
      expect(JSON.stringify(watcher.events)).not.toContain(TOKEN.secret);
      expect(sandboxesOf(session)).toEqual([]);
      watcher.close();
    } finally {
      modal.clearFaults();
    }
  });

  it("pause by idle policy → follow-up → resumed from a snapshot, with the conversation intact", async () => {
    const { session, watcher } = await rig.startSession(
      "Add notes/first.md with a short summary of the sprockets.",
    );
    await watcher.until("idle", () => watcher.sawStatus("idle"), 120_000);
    // Another session waits for the tenant's one slot: the idle one yields it (the idle policy's
    // stop, after SANDBOX_IDLE_YIELD_SECONDS), and its filesystem is snapshotted first.
    const other = await rig.createSession("Waits for the slot.");
    await watcher.until("paused", () => watcher.sawStatus("paused"), 120_000);
    expect(watcher.logText()).toMatch(/snapshotted the sandbox in \d+\.\d s before stopping it/);
    const [first] = sandboxesOf(session);
    const snapshotIds = modal.snapshots();
    expect(
      modal.requests.some((r) => r.method === "POST" && r.path === `/v1/sandboxes/${first?.id}/snapshots`),
    ).toBe(true);
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
    expect(resumed?.fromSnapshot).toMatch(/^im-/);
    expect(snapshotIds).toContain(resumed?.fromSnapshot);
    // The conversation is intact: the resumed turn's model request carries the first turn.
    const conversation = JSON.stringify(stack.model!.requests.slice(asked).map((r) => r.body));
    expect(conversation).toContain("notes/first.md");
    expect(conversation).toContain("notes/second.md");
    expect(watcher.sawStatus("failed")).toBe(false);
    watcher.close();
    await rig.stopSession(session);
  }, 420_000);
});
