/**
 * Durable state that cannot get stuck (issue 11 §7), with injected failures in the real DO and
 * D1: a deadline whose work throws is retried, a failed D1 index write is retried, the alarm is
 * set before D1 is written, and the reconciler (the DO's watchdog and the Worker's cron sweep)
 * repairs sessions stuck in queued/starting.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type Session, StoredEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findSession, insertSession } from "../src/db/repositories/sessions";
import type { Bindings } from "../src/env";
import type { SessionAgent } from "../src/session/agent";
import type { EventsPageResult } from "../src/session/rpc-types";
import { runDeadlineNow } from "./capacity";
import { runCron } from "./cron";
import { createSession, defaultIdentity, sessionStub, unwrapRpc } from "./helpers";
import { waitForLaunch } from "./sandbox-client";

/** What a test reaches inside the DO instance to inject a failure. */
interface AgentInternals {
  env: Bindings;
  launcher: { terminate(): Promise<string | null>; launch(...args: unknown[]): Promise<unknown> };
}

const internals = (agent: SessionAgent) => agent as unknown as AgentInternals;

/** A D1 binding whose every statement fails, as D1 does during an outage. */
function brokenD1(): D1Database {
  const fail = () => {
    throw new Error("D1_ERROR: injected outage");
  };
  return new Proxy({} as D1Database, { get: () => fail });
}

function deadlines(id: string) {
  return runInDurableObject(sessionStub(id), async (_a: SessionAgent, state) => ({
    alarm: await state.storage.getAlarm(),
    rows: state.storage.sql
      .exec("SELECT name, at, attempts FROM deadlines ORDER BY name")
      .toArray()
      .map((r) => ({ name: String(r.name), at: Number(r.at), attempts: Number(r.attempts) })),
  }));
}

async function indexStatus(s: Session) {
  return (await findSession(openDatabase(env.DB), s.tenantId, s.id))?.status;
}

describe("durable deadlines", () => {
  it("a deadline whose work threw is kept and retried with backoff, not lost", async () => {
    const s = await createSession();
    await waitForLaunch(s);
    await sessionStub(s.id).stop(s.tenantId);
    let calls = 0;
    await runInDurableObject(sessionStub(s.id), (agent: SessionAgent) => {
      const launcher = internals(agent).launcher;
      const real = launcher.terminate.bind(launcher);
      launcher.terminate = async () => {
        calls++;
        if (calls === 1) throw new Error("injected: storage hiccup while releasing the sandbox");
        return real();
      };
    });
    await runDeadlineNow(s, "sandbox.terminate");
    const afterFailure = await deadlines(s.id);
    const kept = afterFailure.rows.find((d) => d.name === "sandbox.terminate");
    expect(kept?.attempts).toBe(1);
    expect(kept?.at).toBeGreaterThan(Date.now());
    expect(afterFailure.alarm).toBe(kept?.at);

    await runDeadlineNow(s, "sandbox.terminate");
    expect(calls).toBe(2);
    expect((await deadlines(s.id)).rows.map((d) => d.name)).not.toContain("sandbox.terminate");
  });

  it("a failed D1 index write neither throws nor loses the alarm, and is retried until D1 has it", async () => {
    const s = await createSession();
    await waitForLaunch(s);
    await runInDurableObject(sessionStub(s.id), (agent: SessionAgent) => {
      internals(agent).env = { ...env, DB: brokenD1() } as Bindings;
    });
    const stopped = await sessionStub(s.id).stop(s.tenantId);
    expect(stopped).toMatchObject({ ok: true, value: { status: "stopped" } });
    expect(await indexStatus(s)).not.toBe("stopped");
    const pending = await deadlines(s.id);
    // The alarm was set although D1 failed: the sandbox release and the index retry are both on it.
    expect(pending.rows.map((d) => d.name)).toEqual(
      expect.arrayContaining(["index.sync", "sandbox.terminate"]),
    );
    expect(pending.alarm).toBe(Math.min(...pending.rows.map((d) => d.at)));

    // Still down at the first retry: the retry stays, with backoff.
    await runDeadlineNow(s, "index.sync");
    expect((await deadlines(s.id)).rows.find((d) => d.name === "index.sync")?.attempts).toBe(1);

    await runInDurableObject(sessionStub(s.id), (agent: SessionAgent) => {
      internals(agent).env = env as Bindings;
    });
    await runDeadlineNow(s, "index.sync");
    expect(await indexStatus(s)).toBe("stopped");
    expect((await deadlines(s.id)).rows.map((d) => d.name)).not.toContain("index.sync");
  });
});

describe("reconciler", () => {
  it("the DO's watchdog relaunches a session stuck in starting with nothing scheduled", async () => {
    const s = await createSession();
    await waitForLaunch(s);
    // The state a lost launch deadline leaves: starting, no sandbox, nothing that would move it.
    await runInDurableObject(sessionStub(s.id), (_a: SessionAgent, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'sandbox.provider_id'");
      state.storage.sql.exec("DELETE FROM deadlines WHERE name <> 'session.watchdog'");
      state.storage.sql.exec("UPDATE deadlines SET at = ?", Date.now() - 1);
    });
    expect((await deadlines(s.id)).rows.map((d) => d.name)).toEqual(["session.watchdog"]);
    await runDurableObjectAlarm(sessionStub(s.id));
    const after = await deadlines(s.id);
    expect(after.rows.map((d) => d.name)).toContain("sandbox.start");
    // Still waiting, so still watched.
    expect(after.rows.map((d) => d.name)).toContain("session.watchdog");
    await waitForLaunch(s);
  });

  it("the cron sweep fails a session whose DO was never initialised, with a reason, in D1 and the DO", async () => {
    const owner = await defaultIdentity();
    const id = `01stuck${crypto.randomUUID().replaceAll("-", "").slice(0, 19)}`;
    const longAgo = new Date(Date.now() - 60 * 60_000).toISOString();
    // What the Worker leaves when its D1 insert succeeded and the DO's initialize call failed.
    await insertSession(openDatabase(env.DB), owner.tenantId, {
      id,
      title: "never initialised",
      repo: { kind: "local", path: "demo" },
      agent: "claude-code",
      model: null,
      status: "queued",
      trigger: "api",
      createdBy: owner.userId,
      branch: "nightshift/never",
      createdAt: longAgo,
    });
    await runCron();
    const row = await findSession(openDatabase(env.DB), owner.tenantId, id);
    expect(row?.status).toBe("failed");
    const page = unwrapRpc<EventsPageResult>(await sessionStub(id).readEvents(owner.tenantId, 0, 10));
    const status = page.events
      .map((e) => StoredEvent.parse(e).event)
      .find((e) => e.type === "session.status");
    expect(status).toMatchObject({ status: "failed", reason: expect.stringMatching(/could not be started/) });
  });

  it("the cron sweep wakes an initialised session whose alarm was lost and relaunches it", async () => {
    const s = await createSession();
    await waitForLaunch(s);
    await runInDurableObject(sessionStub(s.id), async (_a: SessionAgent, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'sandbox.provider_id'");
      state.storage.sql.exec("DELETE FROM deadlines");
      await state.storage.deleteAlarm();
    });
    await env.DB.prepare("UPDATE sessions SET updated_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 60 * 60_000).toISOString(), s.id)
      .run();
    await runCron();
    await waitForLaunch(s);
    const row = await findSession(openDatabase(env.DB), s.tenantId, s.id);
    expect(Date.parse(row?.updatedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });
});
