/**
 * The D1 sessions index written with few rows: ends of turns and of the session at once, every
 * other change folded into one deferred `index.sync` write, failures retried. A typical session
 * (two turns and a stop) writes the index 4 times from its DO, where it wrote on every change.
 */
import type { SessionStatus } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import type { SessionPatch } from "../db/repositories/sessions";
import {
  INDEX_DETAIL_DELAY_MS,
  INDEX_STATUS_DELAY_MS,
  INDEX_STATUS_MAX_WAIT_MS,
  type IndexState,
  IndexSync,
} from "./index-sync";
import type { SessionMeta } from "./store";

const session: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "Add a note",
  repo: { kind: "local", path: "demo" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/s1",
  createdBy: "u1",
  status: "queued",
};

/** An IndexSync over in-memory deadlines and a recorded (or failing) D1 row write. */
function harness() {
  let now = 1_000_000;
  const deadlines = new Map<string, number>();
  const writes: SessionPatch[] = [];
  let failing = false;
  const { meta } = memoryMeta();
  const scheduler = {
    set: (name: string, at: number) => void deadlines.set(name, at),
    setNoLaterThan: (name: string, at: number) => {
      const existing = deadlines.get(name);
      if (existing === undefined || existing > at) deadlines.set(name, at);
    },
    clear: (name: string) => void deadlines.delete(name),
  };
  const index = new IndexSync(
    async (_meta, patch) => {
      if (failing) throw new Error("D1_ERROR: injected outage");
      writes.push(patch);
    },
    meta,
    scheduler,
    () => now,
  );
  let state: IndexState = { status: "queued", costUsd: 0 };
  return {
    index,
    writes,
    deadlines,
    meta,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    fail: (on: boolean) => {
      failing = on;
    },
    /** A settle that moved the session to `status` (and maybe cost or sandbox details). */
    settle: (next: Partial<IndexState>, cost = false) => {
      const status = next.status !== undefined && next.status !== state.status;
      state = { ...state, ...next };
      return index.syncAfterChange({ ...session, status: state.status }, state, { status, cost });
    },
    /** The alarm, when the `index.sync` deadline is due: what agent.ts runs for it. */
    async runDue() {
      const at = deadlines.get("index.sync");
      if (at === undefined || at > now) return false;
      deadlines.delete("index.sync");
      await index.retry({ ...session, status: state.status }, state);
      return true;
    },
  };
}

describe("IndexSync", () => {
  it("index write per status change (typical session): two turns and a stop write the row 4 times, not 9", async () => {
    const h = harness();
    const steps: Array<[SessionStatus, number]> = [
      ["starting", 3_000],
      ["running", 10_000],
      ["idle", 6_000],
      ["running", 4_000],
      ["idle", 700],
      ["stopping", 300],
      ["stopped", 0],
    ];
    for (const [status, after] of steps) {
      await h.settle(status === "running" ? { status, sandboxIsolation: "bubblewrap" } : { status });
      h.advance(after);
      await h.runDue();
    }
    // starting → running is one write; the short follow-up's running and stopping fold into their ends.
    expect(h.writes.map((w) => w.status)).toEqual(["running", "idle", "idle", "stopped"]);
    // Gaps longer than the delay get their own deferred write, no more: a longer follow-up turn.
    const slow = harness();
    await slow.settle({ status: "idle" });
    await slow.settle({ status: "running" });
    slow.advance(INDEX_STATUS_DELAY_MS);
    expect(await slow.runDue()).toBe(true);
    await slow.settle({ status: "idle" });
    expect(slow.writes.map((w) => w.status)).toEqual(["idle", "running", "idle"]);
  });

  it("a change that can wait marks the index behind and writes it once, when index.sync is due", async () => {
    const h = harness();
    expect(await h.settle({ status: "starting" })).toBe("deferred");
    expect(h.meta.get("index.behind")).toBe(true);
    expect(h.deadlines.get("index.sync")).toBe(h.now() + INDEX_STATUS_DELAY_MS);
    h.advance(3_000);
    await h.settle({ status: "running", sandboxIsolation: "bubblewrap", sandboxStart: "cold" });
    // A newer status re-arms the write, so the burst costs one row.
    expect(h.deadlines.get("index.sync")).toBe(h.now() + INDEX_STATUS_DELAY_MS);
    h.advance(INDEX_STATUS_DELAY_MS - 1);
    expect(await h.runDue()).toBe(false);
    h.advance(1);
    expect(await h.runDue()).toBe(true);
    expect(h.writes).toEqual([
      { status: "running", costUsd: 0, sandboxIsolation: "bubblewrap", sandboxStart: "cold" },
    ]);
    expect(h.meta.get("index.behind")).toBeNull();
  });

  it("status changes cannot keep putting the write off past the longest wait", async () => {
    const h = harness();
    const first = h.now();
    const statuses: SessionStatus[] = ["starting", "running", "stopping", "running", "stopping"];
    for (const status of statuses) {
      await h.settle({ status });
      h.advance(4_000);
    }
    expect(h.deadlines.get("index.sync")).toBe(first + INDEX_STATUS_MAX_WAIT_MS);
  });

  it("the end of a turn is written at once, carries what was deferred, and cancels index.sync", async () => {
    const h = harness();
    await h.settle({ status: "running", sandboxIsolation: "bubblewrap" });
    await h.settle({ costUsd: 0.25 }, true);
    expect(h.writes).toHaveLength(0);
    expect(await h.settle({ status: "idle" })).toBe("synced");
    expect(h.writes).toEqual([{ status: "idle", costUsd: 0.25, sandboxIsolation: "bubblewrap" }]);
    expect(h.deadlines.has("index.sync")).toBe(false);
    expect(h.meta.get("index.behind")).toBeNull();
  });

  it("a cost change alone waits the longer delay; a status change pulls the write earlier", async () => {
    const h = harness();
    await h.settle({ status: "running" });
    h.advance(INDEX_STATUS_DELAY_MS);
    await h.runDue();
    await h.settle({ costUsd: 0.1 }, true);
    expect(h.deadlines.get("index.sync")).toBe(h.now() + INDEX_DETAIL_DELAY_MS);
    await h.settle({ status: "stopping" });
    expect(h.deadlines.get("index.sync")).toBe(h.now() + INDEX_STATUS_DELAY_MS);
  });

  it("writes nothing when nothing changed", async () => {
    const h = harness();
    expect(await h.settle({})).toBe("synced");
    expect(h.writes).toHaveLength(0);
    expect(h.deadlines.size).toBe(0);
  });

  it("a failed write at an end is not lost: the index stays behind and index.sync retries it", async () => {
    const h = harness();
    h.fail(true);
    expect(await h.settle({ status: "failed" })).toBe("retry");
    expect(h.meta.get("index.behind")).toBe(true);
    expect(h.deadlines.has("index.sync")).toBe(true);
    h.fail(false);
    h.advance(60_000);
    expect(await h.runDue()).toBe(true);
    expect(h.writes.map((w) => w.status)).toEqual(["failed"]);
    expect(h.meta.get("index.behind")).toBeNull();
  });

  it("during a D1 outage a later change does not re-arm the pending retry (its backoff stands)", async () => {
    const h = harness();
    h.fail(true);
    expect(await h.settle({ status: "failed" })).toBe("retry");
    const retryAt = h.deadlines.get("index.sync");
    h.advance(100);
    // A change that would otherwise be deferred 5 s rides on the retry instead of resetting it.
    expect(await h.settle({ status: "running" })).toBe("retry");
    expect(h.deadlines.get("index.sync")).toBe(retryAt);
    h.fail(false);
    h.advance(60_000);
    expect(await h.runDue()).toBe(true);
    expect(h.writes.map((w) => w.status)).toEqual(["running"]);
    expect(h.meta.get("index.failing")).toBeNull();
  });
});
