/** The typed `meta` accessors over in-memory rows: typed round trips, corrupt values, legacy keys. */
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import { META_KEYS, type MetaKey } from "./meta-keys";
import { CorruptMetaError, type MetaRows, migrateLegacyMeta } from "./meta-store";
import type { SessionMeta } from "./store";

const session: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "Add a README",
  repo: { kind: "github", owner: "acme", name: "widgets" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/s1",
  createdBy: "u1",
  status: "running",
  github: { installationId: 7, repositoryId: 42, issue: 3, requestedBy: "octocat" },
};

function corruptionOf(read: () => unknown): CorruptMetaError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptMetaError);
    return error as CorruptMetaError;
  }
  throw new Error("the corrupt value was read without an error");
}

function rowsOf(values: Map<string, string>): MetaRows {
  return {
    read: (key) => values.get(key) ?? null,
    write: (key, text) => void values.set(key, text),
    remove: (key) => void values.delete(key),
  };
}

describe("MetaStore", () => {
  it("stores each key's value as JSON and reads it back typed; an absent key is null", () => {
    const { meta, rows } = memoryMeta();
    expect(meta.get("session.meta")).toBeNull();
    meta.set("session.meta", session);
    meta.set("bridge.acked_seq", 12);
    meta.set("slot.wanted", true);
    meta.set("github.last_message", 'said "done"\n');
    expect(meta.get("session.meta")).toEqual(session);
    expect(meta.get("bridge.acked_seq")).toBe(12);
    expect(meta.get("slot.wanted")).toBe(true);
    expect(meta.get("github.last_message")).toBe('said "done"\n');
    expect(rows.get("bridge.acked_seq")).toBe("12");
    meta.delete("slot.wanted");
    expect(meta.get("slot.wanted")).toBeNull();
  });

  it("every key follows one naming scheme: <part>.<snake_case>", () => {
    for (const key of Object.keys(META_KEYS)) expect(key).toMatch(/^[a-z]+\.[a-z]+(_[a-z]+)*$/);
  });

  it("a corrupt outbox is a CorruptMetaError naming the key, never a silent cast", () => {
    const { meta, rows } = memoryMeta();
    rows.set("github.outbox", JSON.stringify({ task: "not a queue" }));
    const error = corruptionOf(() => meta.get("github.outbox"));
    expect(error.key).toBe("github.outbox");
    expect(error.message).toMatch(/^session storage is corrupt: "github.outbox" does not match its schema/);
  });

  it("a session whose stored status is unknown is reported where it is wrong, without quoting the value", () => {
    const { meta, rows } = memoryMeta();
    rows.set("session.meta", JSON.stringify({ ...session, status: "secretly-weird" }));
    const error = corruptionOf(() => meta.get("session.meta"));
    expect(error.message).toContain("at status");
    expect(error.message).not.toContain("secretly-weird");
  });

  it("a value that is not JSON is corrupt, not a crash with a parser's message", () => {
    const { meta, rows } = memoryMeta();
    rows.set("usage.cost_usd", "{not json");
    expect(corruptionOf(() => meta.get("usage.cost_usd")).message).toBe(
      'session storage is corrupt: "usage.cost_usd" is not JSON',
    );
  });

  it("refuses to store a value its key's schema rejects, and leaves the old value", () => {
    const { meta } = memoryMeta();
    meta.set("usage.cost_usd", 0.5);
    expect(() => meta.set("usage.cost_usd", Number.NaN)).toThrow(/usage\.cost_usd/);
    expect(() => meta.set("slot.queue_position", 0)).toThrow(/slot\.queue_position/);
    expect(meta.get("usage.cost_usd")).toBe(0.5);
  });
});

describe("legacy meta keys", () => {
  /** The table as a DO written before META_KEYS left it: mixed names, some values raw text. */
  const legacy = (): Map<string, string> =>
    new Map([
      ["session", JSON.stringify(session)],
      ["provider_id", "sbx-9"],
      ["launch_attempt", "2"],
      ["incarnation_hash", "ab12"],
      ["runtime_acked_seq", "31"],
      ["index_behind", "1"],
      ["cost_usd", "0.0421"],
      ["github.replies", JSON.stringify({ p1: { target: { kind: "issue", number: 3 }, login: "octocat" } })],
      ["github.last_message", "All done: see the PR"],
      ["github.outbox", JSON.stringify([{ task: { kind: "pr.sync", summary: null }, attempts: 1 }])],
      [
        "github.pull",
        JSON.stringify({ number: 5, url: "https://github.test/acme/widgets/pull/5", ours: true }),
      ],
      ["github.pull_creating", "nightshift/s1"],
      ["queue_position", "4"],
      ["slot_wanted", "1"],
    ]);

  it("are rewritten to the typed keys with every value kept", () => {
    const values = legacy();
    migrateLegacyMeta(rowsOf(values));
    const { meta } = memoryMeta(Object.fromEntries(values));
    expect(meta.get("session.meta")).toEqual(session);
    expect(meta.get("sandbox.provider_id")).toBe("sbx-9");
    expect(meta.get("sandbox.launch_attempt")).toBe(2);
    expect(meta.get("bridge.incarnation_hash")).toBe("ab12");
    expect(meta.get("bridge.acked_seq")).toBe(31);
    expect(meta.get("index.behind")).toBe(true);
    expect(meta.get("usage.cost_usd")).toBe(0.0421);
    expect(meta.get("github.replies")).toEqual({
      p1: { target: { kind: "issue", number: 3 }, login: "octocat" },
    });
    expect(meta.get("github.last_message")).toBe("All done: see the PR");
    expect(meta.get("github.outbox")).toEqual([{ task: { kind: "pr.sync", summary: null }, attempts: 1 }]);
    expect(meta.get("github.pull")).toMatchObject({ number: 5, ours: true });
    expect(meta.get("github.pull_creating")).toBe("nightshift/s1");
    expect(meta.get("slot.queue_position")).toBe(4);
    expect(meta.get("slot.wanted")).toBe(true);
    // Only the typed names are left.
    const known = new Set<string>(Object.keys(META_KEYS));
    expect([...values.keys()].filter((key) => !known.has(key as MetaKey))).toEqual([]);
  });

  it("a legacy value that is not what its key holds is moved as is, so reading it says so", () => {
    const values = new Map([["session", "{truncated"]]);
    migrateLegacyMeta(rowsOf(values));
    const { meta } = memoryMeta(Object.fromEntries(values));
    expect(corruptionOf(() => meta.get("session.meta")).key).toBe("session.meta");
  });
});
