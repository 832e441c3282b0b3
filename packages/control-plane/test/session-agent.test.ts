import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionAgent } from "../src/session/agent";
import { createSession, deltas, sessionStub } from "./helpers";

describe("SessionAgent RPC", () => {
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
    expect(snap).toMatchObject({ ok: true, value: { status: "starting", headSeq: 3, pendingPrompts: 1 } });
  });

  it("validates appended events and stores nothing from a bad batch", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    const bad = await stub.appendEvents(s.tenantId, [
      { type: "message.delta", messageId: "m", text: "ok" },
      { type: "usage", inputTokens: -1, outputTokens: 0, costUsd: 0 },
    ]);
    expect(bad.ok).toBe(false);
    const page = await stub.readEvents(s.tenantId, 0, 100);
    expect(page).toMatchObject({ ok: true, value: { nextAfter: 3, hasMore: false } });
  });

  it("assigns monotonic seqs across batches and keeps them after a restart", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    const a = await stub.appendEvents(s.tenantId, deltas(3));
    const b = await stub.appendEvents(s.tenantId, deltas(2));
    expect(a).toEqual({ ok: true, value: { firstSeq: 4, lastSeq: 6 } });
    expect(b).toEqual({ ok: true, value: { firstSeq: 7, lastSeq: 8 } });
    const head = await runInDurableObject(
      stub,
      (_agent: SessionAgent, state) => state.storage.sql.exec("SELECT MAX(seq) AS s FROM events").one().s,
    );
    expect(head).toBe(8);
  });

  it("a stop clears every deadline and the alarm", async () => {
    const s = await createSession();
    const stub = sessionStub(s.id);
    await stub.stop(s.tenantId);
    const state = await runInDurableObject(stub, async (_a: SessionAgent, st) => ({
      alarm: await st.storage.getAlarm(),
      deadlines: st.storage.sql.exec("SELECT name FROM deadlines").toArray(),
    }));
    expect(state).toEqual({ alarm: null, deadlines: [] });
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });
});
