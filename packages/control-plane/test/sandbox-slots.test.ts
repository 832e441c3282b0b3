/**
 * Capacity never fails a session (issue 11 §6): sessions beyond the pool's slots wait as
 * `queued` with their place in line, start when a slot frees, and share slots fairly between
 * tenants. Real SessionAgent and SandboxSlots DOs; the provider is the recording host double.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { IDLE_YIELD_MS, IDLE_YIELD_REASON } from "../src/capacity/session-slot";
import type { SandboxSlots } from "../src/capacity/slots";
import type { EventsPageResult } from "../src/session/rpc-types";
import {
  deadlineOf,
  endSession,
  poolStub,
  requestWith,
  runDeadlineNow,
  slotVars,
  snapshotOf,
  startSession,
  statusOf,
  waitForStatus,
} from "./capacity";
import { createTenant, type Identity, sessionStub, unwrapRpc, waitFor } from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";

/** The session's sandbox, connected and ready: the runtime's side of the bridge. */
async function readySandbox(session: Session, incarnation: string): Promise<SandboxClient> {
  const client = await SandboxClient.connect(await useIncarnation(session, incarnation));
  client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  client.send({ v: 1, type: "ready" });
  return client;
}

/** Stops the session through the API; the sandbox is told to shut down. */
async function stopAndAwaitShutdown(session: Session, who: Identity, client: SandboxClient): Promise<void> {
  const stopped = await requestWith({}, who, `/api/v1/sessions/${session.id}/stop`, {});
  expect(stopped.status).toBe(202);
  await client.waitFor("shutdown");
}

async function positions(sessions: Session[]): Promise<(number | null)[]> {
  return Promise.all(sessions.map(async (s) => (await snapshotOf(s)).queuePosition));
}

describe("sandbox slots", () => {
  it("capacity never fails a session: 30 sessions on 3 slots all start, in line 1..27, one per freed slot", async () => {
    const t = await createTenant("thirty");
    const vars = slotVars(3);
    const sessions: Session[] = [];
    for (let i = 0; i < 30; i++) sessions.push(await startSession(vars, t, `task ${i}`));

    const running = sessions.slice(0, 3);
    const waiting = sessions.slice(3);
    for (const s of running) expect(await statusOf(s)).toBe("starting");
    for (const s of waiting) expect(s.status).toBe("queued");
    expect(await positions(waiting)).toEqual(waiting.map((_, i) => i + 1));
    // The API shows the place in line too.
    const shown = await requestWith(vars, t, `/api/v1/sessions/${waiting[4]!.id}`);
    expect(((await shown.json()) as Session).queuePosition).toBe(5);
    expect((await poolStub(vars).usage()).held).toBe(3);

    // Each freed slot starts exactly the next one in line, and everyone behind moves up.
    for (let i = 0; i < waiting.length; i++) {
      await endSession(sessions[i]!, t);
      await waitForStatus(waiting[i]!, "starting");
      expect(await positions(waiting.slice(i + 1))).toEqual(waiting.slice(i + 1).map((_, j) => j + 1));
      expect((await poolStub(vars).usage()).held).toBe(3);
    }
    const statuses = await Promise.all(sessions.map(statusOf));
    expect(statuses.filter((s) => s === "failed")).toEqual([]);
    expect(statuses.filter((s) => s === "starting")).toHaveLength(3);
  }, 120_000);

  it("a tenant with a long line cannot starve another: B's one session starts before A's second", async () => {
    const a = await createTenant("busy");
    const b = await createTenant("patient");
    const vars = slotVars(1, 10);
    const first = await startSession(vars, a, "a0");
    const aLine: Session[] = [];
    for (let i = 1; i <= 10; i++) aLine.push(await startSession(vars, a, `a${i}`));
    const bOnly = await startSession(vars, b, "b1");
    // Round-robin between tenants: A's first waiting, then B's, then the rest of A's.
    expect(await positions([aLine[0]!, bOnly, aLine[1]!, aLine[9]!])).toEqual([1, 2, 3, 11]);

    await endSession(first, a);
    await waitForStatus(aLine[0]!, "starting");
    expect(await statusOf(bOnly)).toBe("queued");
    expect((await snapshotOf(bOnly)).queuePosition).toBe(1);
    await endSession(aLine[0]!, a);
    await waitForStatus(bOnly, "starting");
    expect(await statusOf(aLine[1]!)).toBe("queued");
  }, 60_000);

  it("one tenant cannot hold every slot: the per-tenant cap leaves the rest for others", async () => {
    const a = await createTenant("hog");
    const b = await createTenant("other");
    const vars = slotVars(4, 2);
    const aSessions: Session[] = [];
    for (let i = 0; i < 4; i++) aSessions.push(await startSession(vars, a, `a${i}`));
    expect(await Promise.all(aSessions.map(statusOf))).toEqual(["starting", "starting", "queued", "queued"]);
    const bSession = await startSession(vars, b, "b0");
    expect(bSession.status).toBe("starting");
    expect((await poolStub(vars).usage()).held).toBe(3);
    // A's own sandbox ending is what lets A's next one start.
    await endSession(aSessions[0]!, a);
    await waitForStatus(aSessions[2]!, "starting");
    expect(await statusOf(aSessions[3]!)).toBe("queued");
  }, 60_000);

  it("a session stopped while queued gives up its place: it never starts and those behind it move up", async () => {
    const t = await createTenant("gives-up");
    const vars = slotVars(1);
    const holder = await startSession(vars, t, "holds the slot");
    const quitter = await startSession(vars, t, "changes its mind");
    const patient = await startSession(vars, t, "waits");
    expect(await positions([quitter, patient])).toEqual([1, 2]);
    await endSession(quitter, t);
    expect(await statusOf(quitter)).toBe("stopped");
    await waitFor("the next one to move up", async () => (await snapshotOf(patient)).queuePosition === 1);
    await endSession(holder, t);
    await waitForStatus(patient, "starting");
    expect(await statusOf(quitter)).toBe("stopped");
    expect((await poolStub(vars).usage()).held).toBe(1);
  }, 30_000);

  it("a session that vanished cannot keep its slot: its lease expires and the next in line starts", async () => {
    const t = await createTenant("vanish");
    const vars = slotVars(1);
    const holder = await startSession(vars, t, "will crash");
    const next = await startSession(vars, t, "waits");
    expect(next.status).toBe("queued");
    // The holder's state is gone (a crash): nothing will renew or release its lease.
    await runInDurableObject(sessionStub(holder.id), async (_a, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    const pool = poolStub(vars);
    // Time passes beyond the lease: the coordinator's alarm finds it expired.
    await runInDurableObject(pool, (_s: SandboxSlots, state) => {
      state.storage.sql.exec("UPDATE leases SET expires_at = ?", Date.now() - 1);
    });
    await runDurableObjectAlarm(pool);
    await waitForStatus(next, "starting");
    expect((await pool.usage()).held).toBe(1);
  }, 30_000);

  it("an idle session cannot sit on a slot others wait for: it pauses and gives its sandbox up a minute after going idle", async () => {
    const t = await createTenant("idler");
    const vars = slotVars(1);
    const idler = await startSession(vars, t, "quick job");
    const client = await readySandbox(idler, "inc-idle");
    const prompt = await client.waitFor("prompt");
    client.sendEvents([
      { seq: 1, event: { type: "turn.end", promptId: prompt.promptId, status: "completed" } },
    ]);
    await waitForStatus(idler, "idle");
    // Nobody waits: the usual idle release (30 minutes).
    expect((await deadlineOf(idler, "idle.stop"))! - Date.now()).toBeGreaterThan(20 * 60_000);

    const next = await startSession(vars, t, "waits for the idle one");
    expect(next.status).toBe("queued");
    await waitFor("the idle release to come forward", async () => {
      const at = await deadlineOf(idler, "idle.stop");
      return at !== null && at - Date.now() <= IDLE_YIELD_MS;
    });
    await runDeadlineNow(idler, "idle.stop");
    expect(await statusOf(idler)).toBe("paused");
    await runDeadlineNow(idler, "sandbox.terminate");
    await waitForStatus(next, "starting");
    const page = unwrapRpc<EventsPageResult>(await sessionStub(idler.id).readEvents(idler.tenantId, 0, 200));
    expect(page.events.map((e) => e.event)).toContainEqual({
      type: "session.status",
      status: "paused",
      reason: IDLE_YIELD_REASON,
    });
    client.close();
  }, 30_000);

  it("a runtime that stops cleanly after the shutdown gives its slot back at once, not after the grace", async () => {
    const t = await createTenant("clean-stop");
    const vars = slotVars(1);
    const first = await startSession(vars, t, "first");
    const client = await readySandbox(first, "inc-clean");
    await client.waitFor("prompt");
    const next = await startSession(vars, t, "waits for the first");
    expect(next.status).toBe("queued");
    await stopAndAwaitShutdown(first, t, client);
    expect(await deadlineOf(first, "sandbox.terminate")).not.toBeNull();
    // Flushed and gone: nothing is left to wait the termination grace for.
    client.close(1000);
    await waitFor(
      "the termination to come forward",
      async () => (await deadlineOf(first, "sandbox.terminate")) === null,
      2_000,
    );
    await waitForStatus(next, "starting", 2_000);
  }, 30_000);

  it("a bridge that closes with another code after the shutdown keeps the termination grace", async () => {
    const t = await createTenant("unclean-stop");
    const vars = slotVars(1);
    const first = await startSession(vars, t, "first");
    const client = await readySandbox(first, "inc-unclean");
    await client.waitFor("prompt");
    await stopAndAwaitShutdown(first, t, client);
    // It may still redial and flush what it holds: the sandbox stays until the grace ends.
    client.close(4000);
    await waitFor(
      "the session to see the bridge close",
      async () => !(await snapshotOf(first)).sandboxConnected,
    );
    const after = await deadlineOf(first, "sandbox.terminate");
    expect(after).not.toBeNull();
    expect((await poolStub(vars).usage()).held).toBe(1);
  }, 30_000);

  it("a full sandbox host puts the session back in line instead of failing it, and it starts later", async () => {
    const t = await createTenant("host-full");
    const vars = slotVars(5);
    // The recording host answers 429 to the first two creates for repositories named host-full-*.
    const s = await startSession(vars, t, "try me", "host-full-once");
    await waitFor("the session to be put back in line", async () => {
      const page = unwrapRpc<EventsPageResult>(await sessionStub(s.id).readEvents(s.tenantId, 0, 200));
      return page.events.some((e) => e.event.type === "session.queue");
    });
    await waitForStatus(s, "starting", 15_000);
    await waitFor("the sandbox to be created", async () =>
      runInDurableObject(
        sessionStub(s.id),
        (_a, state) =>
          state.storage.sql.exec("SELECT 1 FROM meta WHERE key = 'sandbox.provider_id'").toArray().length > 0,
      ),
    );
    const page = unwrapRpc<EventsPageResult>(await sessionStub(s.id).readEvents(s.tenantId, 0, 200));
    const events = page.events.map((e) => e.event);
    const statuses = events.flatMap((e) => (e.type === "session.status" ? [e.status] : []));
    expect(statuses).not.toContain("failed");
    expect(statuses.filter((x) => x === "queued").length).toBeGreaterThanOrEqual(2);
    expect(events.some((e) => e.type === "error")).toBe(false);
  }, 30_000);
});
