/** The pure parts of durable state: stall diagnosis, retry backoff and byte-bounded chunks. */
import { describe, expect, it } from "vitest";
import { chunkByBytes } from "./event-pages";
import { Reconciler, WATCHDOG_MS } from "./reconciler";
import { RETRY_BASE_MS, RETRY_MAX_MS, retryDelay } from "./scheduler";
import { utf8Bytes } from "./store";

function fakeScheduler(pending: string[] = []) {
  const set = new Map<string, number>(pending.map((n) => [n, 0]));
  return {
    set: (name: string, at: number) => void set.set(name, at),
    clear: (name: string) => void set.delete(name),
    has: (name: string) => set.has(name),
    deadlines: set,
  };
}

describe("stall diagnosis", () => {
  it("relaunches a starting session with no launch or connect deadline and no sandbox", () => {
    expect(new Reconciler(fakeScheduler(), () => 0).diagnose("starting", false, 1)).toEqual({
      kind: "relaunch",
    });
  });

  it("asks again for a queued session's start (a slot request is harmless to repeat)", () => {
    expect(new Reconciler(fakeScheduler(), () => 0).diagnose("queued", false, 1)).toEqual({
      kind: "input",
      input: { kind: "prompt.enqueued" },
    });
  });

  it("leaves alone sessions that are moving: a pending launch, a connected sandbox, or past starting", () => {
    const r = new Reconciler(fakeScheduler(["sandbox.start"]), () => 0);
    expect(r.diagnose("starting", false, 1)).toEqual({ kind: "none" });
    const idle = new Reconciler(fakeScheduler(), () => 0);
    expect(idle.diagnose("starting", true, 1)).toEqual({ kind: "none" });
    expect(idle.diagnose("running", false, 1)).toEqual({ kind: "none" });
    expect(idle.diagnose("queued", false, 0)).toEqual({ kind: "none" });
  });

  it("arms the watchdog only while queued or starting", () => {
    const s = fakeScheduler();
    const r = new Reconciler(s, () => 1_000);
    r.statusChanged("starting");
    expect(s.deadlines.get("session.watchdog")).toBe(1_000 + WATCHDOG_MS);
    r.statusChanged("running");
    expect(s.has("session.watchdog")).toBe(false);
  });
});

describe("retry backoff", () => {
  it("doubles from the base with jitter and stops growing at the cap", () => {
    expect(retryDelay(1, () => 1)).toBe(RETRY_BASE_MS);
    expect(retryDelay(3, () => 1)).toBe(4 * RETRY_BASE_MS);
    expect(retryDelay(3, () => 0)).toBe(2 * RETRY_BASE_MS);
    expect(retryDelay(40, () => 1)).toBe(RETRY_MAX_MS);
  });
});

describe("byte-bounded chunks", () => {
  const row = (seq: number, size: number) => ({ seq, at: "t", data: "x".repeat(size) });

  it("splits rows into runs under the budget, never empty, in order", () => {
    const rows = [row(1, 400), row(2, 400), row(3, 400), row(4, 2_000), row(5, 10)];
    const chunks = chunkByBytes(rows, 1_000);
    expect(chunks.map((c) => c.map((r) => r.seq))).toEqual([[1, 2], [3], [4], [5]]);
  });
});

describe("utf8 sizes", () => {
  it("counts ASCII by length and everything else by its UTF-8 encoding", () => {
    expect(utf8Bytes('{"text":"plain"}')).toBe(16);
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("€😀")).toBe(7);
  });
});
