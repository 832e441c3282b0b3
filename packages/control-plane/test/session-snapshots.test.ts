/**
 * A session resumes from its provider snapshot (issue 13 §6): the idle policy snapshots the
 * sandbox before stopping it, a follow-up creates the next sandbox from that snapshot, a snapshot
 * the provider no longer has falls back to the branch once, and an ended session's snapshot is
 * deleted. Real SessionAgent and SandboxSlots DOs and routes; the session's DO runs Daytona
 * sessions on the Daytona double (test/global-setup.ts), which is asked over its own API here.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Session, SessionStatus } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import type { SessionAgent } from "../src/session/agent";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import type { EventsPageResult } from "../src/session/rpc-types";
import { deadlineOf, requestWith, runDeadlineNow, slotVars, statusOf, waitForStatus } from "./capacity";
import { githubTenant } from "./github-tenant";
import { type Identity, sessionStub, unwrapRpc, waitFor } from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";

const testEnv = env as unknown as Bindings & { TEST_DAYTONA_API_URL: string; TEST_DAYTONA_API_KEY: string };

/** The Worker offers Daytona (the DO's own Daytona settings come from TestSessionAgent). */
function daytonaVars(): Partial<Bindings> {
  return {
    ...slotVars(4),
    SANDBOX_PROVIDER: "daytona",
    DAYTONA_API_URL: testEnv.TEST_DAYTONA_API_URL,
    DAYTONA_API_KEY: testEnv.TEST_DAYTONA_API_KEY,
    DAYTONA_SNAPSHOT: "nightshift-sandbox",
  };
}

/** The Daytona double's own API, as Daytona answers it. */
async function daytona<T>(method: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${testEnv.TEST_DAYTONA_API_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${testEnv.TEST_DAYTONA_API_KEY}` },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

interface DoubleSandbox {
  id: string;
  snapshot: string;
  state: string;
  labels: Record<string, string>;
}

async function liveSandboxes(s: Session): Promise<DoubleSandbox[]> {
  const labels = encodeURIComponent(JSON.stringify({ "nightshift.session": s.id }));
  const page = await daytona<{ items: DoubleSandbox[] }>("GET", `/sandbox?labels=${labels}&limit=100`);
  return page.body.items.filter((sandbox) => sandbox.state !== "destroying");
}

function snapshotMeta(s: Session) {
  return runInDurableObject(sessionStub(s.id), (_a: SessionAgent, state) => {
    const meta = new MetaStore(sqlMetaRows(state.storage.sql));
    return { resume: meta.get("snapshot.resume"), doomed: meta.get("snapshot.doomed") };
  });
}

async function statuses(s: Session): Promise<{ status: SessionStatus; reason?: string }[]> {
  const page = unwrapRpc<EventsPageResult>(await sessionStub(s.id).readEvents(s.tenantId, 0, 500));
  return page.events.flatMap((e) =>
    e.event.type === "session.status"
      ? [{ status: e.event.status, ...(e.event.reason ? { reason: e.event.reason } : {}) }]
      : [],
  );
}

async function logs(s: Session): Promise<string> {
  const page = unwrapRpc<EventsPageResult>(await sessionStub(s.id).readEvents(s.tenantId, 0, 500));
  return page.events.map((e) => (e.event.type === "log" ? e.event.text : "")).join("");
}

/** A Daytona session whose first sandbox took the first prompt and finished its turn: idle. */
async function idleDaytonaSession(vars: Partial<Bindings>, who: Identity, jti: string) {
  const res = await requestWith(vars, who, "/api/v1/sessions", {
    repo: { kind: "github", owner: "acme", name: "widgets" },
    prompt: "first task",
  });
  expect(res.status).toBe(201);
  const s = (await res.json()) as Session;
  const token = await useIncarnation(s, jti);
  const client = await SandboxClient.connect(token);
  client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  client.send({ v: 1, type: "ready" });
  const prompt = await client.waitFor("prompt");
  client.sendEvents([
    { seq: 1, event: { type: "turn.end", promptId: prompt.promptId, status: "completed" } },
  ]);
  await waitForStatus(s, "idle");
  return { s, client };
}

/** The idle policy stops the sandbox (snapshotting it first), and its release runs now. */
async function pauseByIdlePolicy(s: Session): Promise<void> {
  await runDeadlineNow(s, "idle.stop");
  expect(await statusOf(s)).toBe("paused");
  await runDeadlineNow(s, "sandbox.terminate");
}

function followUp(vars: Partial<Bindings>, who: Identity, s: Session, text: string) {
  return requestWith(vars, who, `/api/v1/sessions/${s.id}/prompts`, { text });
}

/** The resumed incarnation's sandbox on the double (created by the alarm after the follow-up). */
async function resumedSandbox(s: Session, firstId: string): Promise<DoubleSandbox> {
  return waitFor("the resumed sandbox on Daytona", async () =>
    (await liveSandboxes(s)).find((sandbox) => sandbox.id !== firstId),
  );
}

describe("a session resumes from its provider snapshot", () => {
  it("idle stop takes a snapshot and a follow-up creates from it", async () => {
    const owner = await githubTenant();
    const vars = daytonaVars();
    const { s } = await idleDaytonaSession(vars, owner, "inc-snap-1");
    const [first] = await liveSandboxes(s);
    expect(first?.snapshot).toBe("nightshift-sandbox");

    await pauseByIdlePolicy(s);
    const { resume } = await snapshotMeta(s);
    expect(resume?.ref).toMatch(/^nightshift-resume-/);
    // Daytona has it, active, and the first sandbox is gone.
    const kept = await daytona<{ state: string }>("GET", `/snapshots/${resume?.ref}`);
    expect(kept).toMatchObject({ status: 200, body: { state: "active" } });
    expect(await liveSandboxes(s)).toEqual([]);
    expect(await logs(s)).toMatch(
      /snapshotted the sandbox in \d+\.\d s before stopping it; a follow-up resumes from it/,
    );

    expect((await followUp(vars, owner, s, "second task")).status).toBe(202);
    expect((await statuses(s)).at(-1)).toMatchObject({
      status: "resuming",
      reason: expect.stringMatching(/from a snapshot/),
    });
    const resumed = await resumedSandbox(s, first!.id);
    expect(resumed.snapshot).toBe(resume?.ref);
    // The launcher's labels, a new incarnation.
    expect(resumed.labels["nightshift.incarnation"]).not.toBe(first?.labels["nightshift.incarnation"]);
  }, 30_000);

  it("unknown snapshot → branch fallback: a snapshot Daytona no longer has is given up once and the session resumes from the base", async () => {
    const owner = await githubTenant();
    const vars = daytonaVars();
    const { s } = await idleDaytonaSession(vars, owner, "inc-gone-1");
    const [first] = await liveSandboxes(s);
    await pauseByIdlePolicy(s);
    const { resume } = await snapshotMeta(s);
    // Deleted behind Nightshift's back (an operator, Daytona's own retention).
    const snapshot = await daytona<{ id: string }>("GET", `/snapshots/${resume?.ref}`);
    expect((await daytona("DELETE", `/snapshots/${snapshot.body.id}`)).status).toBe(200);

    expect((await followUp(vars, owner, s, "after the snapshot vanished")).status).toBe(202);
    const resumed = await resumedSandbox(s, first!.id);
    expect(resumed.snapshot).toBe("nightshift-sandbox");
    expect(await statusOf(s)).toBe("resuming");
    expect((await snapshotMeta(s)).resume).toBeNull();
    const resuming = (await statuses(s)).filter((e) => e.status === "resuming").map((e) => e.reason);
    expect(resuming).toEqual([
      expect.stringMatching(/from a snapshot/),
      expect.stringMatching(/could not be used; resuming from the session's branch and conversation/),
    ]);
    expect(await logs(s)).toMatch(/no longer has the snapshot/);
    expect((await statuses(s)).some((e) => e.status === "failed")).toBe(false);
  }, 30_000);

  it("ended session deletes its snapshot", async () => {
    const owner = await githubTenant();
    const vars = daytonaVars();
    const { s } = await idleDaytonaSession(vars, owner, "inc-end-1");
    await pauseByIdlePolicy(s);
    const { resume } = await snapshotMeta(s);
    expect((await daytona("GET", `/snapshots/${resume?.ref}`)).status).toBe(200);

    const stop = await requestWith(vars, owner, `/api/v1/sessions/${s.id}/stop`, {});
    expect(stop.status).toBe(202);
    expect(await statusOf(s)).toBe("stopped");
    // Deleted on the session's alarm (its `snapshot.delete` deadline, due at once).
    await waitFor(
      "the snapshot to be deleted",
      async () => (await daytona("GET", `/snapshots/${resume?.ref}`)).status === 404,
    );
    expect(await snapshotMeta(s)).toEqual({ resume: null, doomed: null });
    expect(await deadlineOf(s, "snapshot.delete")).toBeNull();
  }, 30_000);
});
