/**
 * SessionSnapshots on its own: what the idle stop's snapshot does with a provider that fails,
 * has no snapshots, or is overtaken by a turn; a newer snapshot dooms the older one; deletions
 * that fail stay doomed (the deadline retries them) and never lose a ref.
 */
import type { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import type { SandboxProvider } from "../providers/provider";
import { SessionSnapshots } from "./sandbox-snapshots";
import type { SessionMeta } from "./store";

const SESSION: SessionMeta = {
  sessionId: "s-1",
  tenantId: "t-1",
  title: "t",
  repo: { kind: "github", owner: "o", name: "r" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/t",
  createdBy: "u",
  status: "idle",
  sandboxProvider: "daytona",
};

function setup(provider: Partial<SandboxProvider>) {
  const { meta } = memoryMeta();
  meta.set("session.meta", SESSION);
  meta.set("sandbox.provider_id", "sbx-1");
  meta.set("bridge.acked_seq", 4);
  const events: AgentEvent[] = [];
  const deadlines: string[] = [];
  const snapshots = new SessionSnapshots({
    meta,
    provider: () => ({
      name: "daytona",
      create: async () => ({}) as never,
      terminate: async () => {},
      ...provider,
    }),
    scheduler: { set: (name) => void deadlines.push(name) },
    publish: (e) => events.push(...e),
    now: Date.now,
    waitMs: 500,
  });
  const logs = () => events.map((e) => (e.type === "log" ? e.text : "")).join("");
  return { meta, snapshots, deadlines, logs };
}

describe("SessionSnapshots", () => {
  it("a snapshot that fails still lets the stop go on, and says the follow-up resumes from the branch", async () => {
    const { meta, snapshots, logs } = setup({
      snapshot: async () => {
        throw new Error("Daytona failed to snapshot the sandbox (HTTP 503)");
      },
    });
    expect(await snapshots.takeBeforeIdleStop()).toEqual({ snapshot: "failed", stillIdle: true });
    expect(meta.get("snapshot.resume")).toBeNull();
    expect(logs()).toMatch(/could not snapshot the sandbox before stopping it \(Daytona failed.*HTTP 503\)/);
  });

  it("a snapshot slower than the bound is given up, and the stop goes on", async () => {
    const { snapshots } = setup({ snapshot: () => new Promise(() => {}) });
    expect((await snapshots.takeBeforeIdleStop()).snapshot).toBe("failed");
  });

  it("a provider without snapshots is left alone", async () => {
    const { snapshots, logs } = setup({});
    expect(await snapshots.takeBeforeIdleStop()).toEqual({ snapshot: "unsupported", stillIdle: true });
    expect(logs()).toBe("");
  });

  it("a turn during the snapshot calls the stop off (its own idle period follows)", async () => {
    const { snapshots } = setup({
      snapshot: async () => {
        // running, then idle again: the session left idle while the snapshot was taken.
        snapshots.statusChanged("running");
        snapshots.statusChanged("idle");
        return { ref: "nightshift-resume-a" };
      },
    });
    expect(await snapshots.takeBeforeIdleStop()).toEqual({ snapshot: "taken", stillIdle: false });
    expect(snapshots.resumeRef()).toBe("nightshift-resume-a");
  });

  it("a stray runtime event while idle during the snapshot does not call the stop off", async () => {
    const { meta, snapshots } = setup({
      snapshot: async () => {
        meta.set("bridge.acked_seq", 9);
        return { ref: "nightshift-resume-b" };
      },
    });
    expect(await snapshots.takeBeforeIdleStop()).toEqual({ snapshot: "taken", stillIdle: true });
    // Outside a snapshot, status changes mean nothing to the next one.
    snapshots.statusChanged("running");
    const again = await snapshots.takeBeforeIdleStop();
    expect(again.stillIdle).toBe(true);
  });

  it("a newer snapshot dooms the older one; a failed deletion stays doomed for the retry, a later one clears it", async () => {
    let ref = 0;
    let failDeletes = true;
    const deleted: string[] = [];
    const { meta, snapshots, deadlines } = setup({
      snapshot: async () => ({ ref: `nightshift-resume-${++ref}` }),
      deleteSnapshot: async (r) => {
        if (failDeletes) throw new Error("Daytona did not answer");
        deleted.push(r);
      },
    });
    await snapshots.takeBeforeIdleStop();
    await snapshots.takeBeforeIdleStop();
    expect(snapshots.resumeRef()).toBe("nightshift-resume-2");
    expect(meta.get("snapshot.doomed")).toEqual(["nightshift-resume-1"]);
    expect(deadlines).toContain("snapshot.delete");
    await expect(snapshots.deleteDoomed()).rejects.toThrow(/could not delete a sandbox snapshot/);
    expect(meta.get("snapshot.doomed")).toEqual(["nightshift-resume-1"]);
    failDeletes = false;
    await snapshots.deleteDoomed();
    expect(deleted).toEqual(["nightshift-resume-1"]);
    expect(meta.get("snapshot.doomed")).toBeNull();
    // The session ends: its own snapshot goes too.
    snapshots.statusChanged("stopped");
    expect(snapshots.resumeRef()).toBeNull();
    await snapshots.deleteDoomed();
    expect(deleted).toEqual(["nightshift-resume-1", "nightshift-resume-2"]);
  });

  it("giving a snapshot up clears it, dooms it and says the session resumes from the branch", async () => {
    const { meta, snapshots } = setup({ snapshot: async () => ({ ref: "nightshift-resume-x" }) });
    await snapshots.takeBeforeIdleStop();
    snapshots.giveUp("nightshift-resume-x", "Daytona no longer has the snapshot");
    expect(snapshots.resumeRef()).toBeNull();
    expect(meta.get("snapshot.doomed")).toEqual(["nightshift-resume-x"]);
  });
});
