/**
 * A session DO created before the typed meta keys (meta-keys.ts) still loads: its table is put
 * back into the old layout (old names, raw-text values, schema version 2), the object is evicted,
 * and the next call finds every value under its typed key.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionAgent } from "../src/session/agent";
import { LEGACY_META_KEYS } from "../src/session/meta-keys";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { createSession, deltas, sessionStub, unwrapRpc } from "./helpers";
import { waitForLaunch } from "./sandbox-client";

/** How the code before META_KEYS wrote a value: raw text for strings and numbers, "1" for flags. */
function legacyText(json: string): string {
  const value = JSON.parse(json) as unknown;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value === true) return "1";
  return json;
}

function metaRows(sql: SqlStorage): Map<string, string> {
  return new Map(
    sql
      .exec("SELECT key, value FROM meta")
      .toArray()
      .map((r) => [String(r.key), String(r.value)]),
  );
}

describe("session meta written before typed keys", () => {
  it("loads after an upgrade: old key names and raw values are rewritten once, every value kept", async () => {
    const s = await createSession();
    await waitForLaunch(s);
    const stub = sessionStub(s.id);
    await stub.appendEvents(s.tenantId, deltas(2));
    const before = await runInDurableObject(stub, (_a: SessionAgent, state) => {
      const sql = state.storage.sql;
      // Values the session would have by now had its runtime reported them.
      const typed = new MetaStore(sqlMetaRows(sql));
      typed.set("usage.cost_usd", 0.25);
      typed.set("github.last_message", "Added the README");
      const rows = metaRows(sql);
      for (const { from, to } of LEGACY_META_KEYS) {
        const text = rows.get(to);
        if (text === undefined) continue;
        sql.exec("DELETE FROM meta WHERE key = ?", to);
        sql.exec("INSERT INTO meta (key, value) VALUES (?, ?)", from, legacyText(text));
      }
      // A version-2 object predates every later step, the conversation table included.
      sql.exec("DROP TABLE IF EXISTS conversation_chunks");
      sql.exec("UPDATE schema_version SET version = 2");
      return rows;
    });
    expect([...before.keys()]).toEqual(
      expect.arrayContaining([
        "session.meta",
        "sandbox.provider_id",
        "bridge.incarnation_hash",
        "usage.cost_usd",
        "github.last_message",
      ]),
    );
    expect(
      await runInDurableObject(stub, (_a: SessionAgent, state) => [...metaRows(state.storage.sql).keys()]),
    ).toEqual(expect.arrayContaining(["session", "provider_id", "incarnation_hash", "cost_usd"]));

    await evictDurableObject(stub);

    const snapshot = unwrapRpc<{ status: string; headSeq: number }>(await stub.snapshot(s.tenantId));
    expect(snapshot.status).toBe("starting");
    const after = await runInDurableObject(stub, (_a: SessionAgent, state) => {
      const meta = new MetaStore(sqlMetaRows(state.storage.sql));
      return {
        rows: metaRows(state.storage.sql),
        cost: meta.get("usage.cost_usd"),
        providerId: meta.get("sandbox.provider_id"),
        version: Number(state.storage.sql.exec("SELECT version FROM schema_version").one().version),
      };
    });
    expect(after.rows).toEqual(before);
    expect(after.cost).toBe(0.25);
    expect(after.providerId).toMatch(/^sbx-\d+$/);
    expect(after.version).toBe(4);
    // The session goes on working on the migrated state.
    const more = unwrapRpc<{ firstSeq: number }>(await stub.appendEvents(s.tenantId, deltas(1)));
    expect(more.firstSeq).toBe(snapshot.headSeq + 1);
  });
});
