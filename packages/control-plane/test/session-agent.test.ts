import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SessionAgent } from "../src/session/agent";
import type { EventsPageResult } from "../src/session/rpc-types";
import { createSession, deltas, sessionStub, unwrapRpc } from "./helpers";

describe("SessionAgent RPC", () => {
  it("the production class exposes no test-only RPC: appendEvents and snapshot live on the test worker's subclass", () => {
    for (const testOnly of ["appendEvents", "snapshot"]) {
      expect(testOnly in SessionAgent.prototype, testOnly).toBe(false);
    }
    // What the Worker calls instead of snapshot, tenant-checked like every other RPC.
    expect(typeof SessionAgent.prototype.liveStatus).toBe("function");
  });

  it("answers the place in line only to the session's own tenant", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    expect(await stub.liveStatus("tenant-b")).toEqual({
      ok: false,
      code: "session_not_found",
      message: "session not found",
    });
    // Suites run with slots to spare: the session started at once and holds no place in line.
    expect(await stub.liveStatus(s.tenantId)).toEqual({
      ok: true,
      value: expect.objectContaining({ status: "starting", costUsd: 0, queuePosition: null }),
    });
  });

  it("refuses every call that names another tenant, exactly like a missing session", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    const calls = [
      stub.snapshot("tenant-b"),
      stub.appendEvents("tenant-b", deltas(1)),
      stub.readEvents("tenant-b", 0, 10),
      stub.enqueuePrompt("tenant-b", { id: "p", text: "x", author: { id: "u", name: "u", email: "u@x" } }),
      stub.stop("tenant-b"),
    ];
    for (const result of await Promise.all(calls)) {
      expect(result).toEqual({ ok: false, code: "session_not_found", message: "session not found" });
    }
    const snap = await stub.snapshot(s.tenantId);
    expect(snap).toMatchObject({ ok: true, value: { status: "starting", pendingPrompts: 1 } });
  });

  it("validates appended events and stores nothing from a bad batch", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    const bad = await stub.appendEvents(s.tenantId, [
      { type: "message.delta", messageId: "m", text: "ok" },
      { type: "usage", inputTokens: -1, outputTokens: 0, costUsd: 0 },
    ]);
    expect(bad.ok).toBe(false);
    const page = unwrapRpc<EventsPageResult>(await stub.readEvents(s.tenantId, 0, 100));
    expect(page.events.some((e) => e.event.type === "message.delta")).toBe(false);
  });

  it("assigns monotonic seqs across batches and keeps them after a restart", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    const a = unwrapRpc<{ firstSeq: number; lastSeq: number }>(
      await stub.appendEvents(s.tenantId, deltas(3)),
    );
    const b = unwrapRpc<{ firstSeq: number; lastSeq: number }>(
      await stub.appendEvents(s.tenantId, deltas(2)),
    );
    expect(a.lastSeq - a.firstSeq).toBe(2);
    expect(b.firstSeq).toBeGreaterThan(a.lastSeq);
    await evictDurableObject(stub);
    const c = unwrapRpc<{ firstSeq: number }>(await stub.appendEvents(s.tenantId, deltas(1)));
    expect(c.firstSeq).toBeGreaterThan(b.lastSeq);
    const seqs = await runInDurableObject(stub, (_agent: SessionAgent, state) =>
      state.storage.sql
        .exec("SELECT seq FROM events ORDER BY seq")
        .toArray()
        .map((r) => Number(r.seq)),
    );
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("a stop leaves only the sandbox release and the usage roll-up flush, which run on the alarm and clear it", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    await stub.stop(s.tenantId);
    const deadlines = () =>
      runInDurableObject(stub, async (_a: SessionAgent, st) => ({
        alarm: await st.storage.getAlarm(),
        names: st.storage.sql
          .exec("SELECT name FROM deadlines")
          .toArray()
          .map((r) => r.name),
      }));
    const afterStop = await deadlines();
    expect(afterStop.names.sort()).toEqual(["sandbox.terminate", "usage.rollup"]);
    expect(afterStop.alarm).not.toBeNull();
    await runInDurableObject(stub, (_a: SessionAgent, st) => {
      st.storage.sql.exec("UPDATE deadlines SET at = ?", Date.now() - 1);
    });
    await runDurableObjectAlarm(stub);
    expect(await deadlines()).toEqual({ alarm: null, names: [] });
  });
});
