import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { BridgeCloseCode, EventsPage, Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import type { SessionAgent } from "../src/session/agent";
import { api, createSession, postJson, StreamClient, sessionStub, waitFor } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation, waitForLaunch } from "./sandbox-client";

const delta = (seq: number) => ({ seq, event: { type: "message.delta", messageId: "m", text: `d${seq}` } });

async function runtimeEvents(s: Session) {
  const page = EventsPage.parse(await (await api(`/api/v1/sessions/${s.id}/events?limit=1000`)).json());
  return page.events
    .filter((e) => e.event.type === "message.delta")
    .map((e) => (e.event as { text: string }).text);
}

async function statusOf(id: string) {
  return Session.parse(await (await api(`/api/v1/sessions/${id}`)).json()).status;
}

describe("sandbox bridge", () => {
  it("refuses missing, forged and expired tokens with close code 4001", async () => {
    const s = await createSession();
    const forged = await mintSandboxToken(
      "another-secret-that-is-long-enough-0123",
      {
        sessionId: s.id,
        tenantId: s.tenantId,
        jti: "x",
      },
      600,
    );
    const expired = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: s.id, tenantId: s.tenantId, jti: "x" },
      -10,
    );
    for (const token of [null, "not-a-jwt", forged, expired]) {
      const client = await SandboxClient.connect(token);
      expect(await client.waitForClose()).toBe(BridgeCloseCode.unauthorized);
    }
  });

  it("refuses a superseded incarnation with 4009, even on a socket that was already open", async () => {
    const s = await createSession();
    const oldToken = await useIncarnation(s, "incarnation-1");
    const old = await SandboxClient.connect(oldToken);
    old.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    await old.waitFor("welcome");
    await useIncarnation(s, "incarnation-2");
    old.send({ v: 1, type: "heartbeat" });
    expect(await old.waitForClose()).toBe(BridgeCloseCode.superseded);
    const again = await SandboxClient.connect(oldToken);
    expect(await again.waitForClose()).toBe(BridgeCloseCode.superseded);
  });

  it("stores each runtime event once, in order, across resends, gaps and reconnects", async () => {
    const s = await createSession();
    const token = await useIncarnation(s, "inc-a");
    const watcher = await StreamClient.open(s.id);
    const a = await SandboxClient.connect(token);
    a.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    expect(await a.waitFor("welcome")).toMatchObject({ ackedSeq: 0 });
    a.sendEvents([delta(1), delta(2), delta(3)]);
    await a.waitForAck(3);
    a.sendEvents([delta(2), delta(3), delta(4)]); // a resend overlapping what is stored
    await a.waitForAck(4);
    a.sendEvents([delta(6)]); // a gap: refused, ack stays at 4
    await waitFor(
      "ack after gap",
      () => a.frames.filter((f) => f.type === "ack" && f.seq === 4).length === 2,
    );
    a.close();
    const b = await SandboxClient.connect(token);
    b.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 6 });
    expect(await b.waitFor("welcome")).toMatchObject({ ackedSeq: 4 });
    b.sendEvents([delta(5), delta(6)]);
    await b.waitForAck(6);
    expect(await runtimeEvents(s)).toEqual(["d1", "d2", "d3", "d4", "d5", "d6"]);
    await waitFor("watcher sees d6", () =>
      watcher.events.some((e) => (e.event as { text?: string }).text === "d6"),
    );
    const seen = watcher.events
      .filter((e) => e.event.type === "message.delta")
      .map((e) => (e.event as { text: string }).text);
    expect(seen).toEqual(["d1", "d2", "d3", "d4", "d5", "d6"]);
    b.close();
    watcher.close();
  });

  it("answers malformed frames with an error frame and keeps the socket", async () => {
    const s = await createSession();
    const client = await SandboxClient.connect(await useIncarnation(s, "inc-bad"));
    client.send("not json");
    client.sendEvents([{ seq: 1, event: { type: "usage", inputTokens: -1 } }]);
    await waitFor("two error frames", () => client.frames.filter((f) => f.type === "error").length === 2);
    client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    await client.waitFor("welcome");
    expect(client.closeCode).toBeNull();
    client.close();
  });

  it("dispatches prompts one turn at a time and stops with cancel + shutdown", async () => {
    const s = await createSession("first task");
    const client = await SandboxClient.connect(await useIncarnation(s, "inc-turns"));
    client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    client.send({ v: 1, type: "ready" });
    const first = await client.waitFor("prompt");
    expect(first.text).toBe("first task");
    await waitFor("running", async () => (await statusOf(s.id)) === "running");
    await postJson(`/api/v1/sessions/${s.id}/prompts`, { text: "second task" });
    expect(client.frames.filter((f) => f.type === "prompt")).toHaveLength(1);
    client.sendEvents([
      { seq: 1, event: { type: "usage", inputTokens: 10, outputTokens: 5, costUsd: 0.25 } },
      { seq: 2, event: { type: "turn.end", promptId: first.promptId, status: "completed" } },
    ]);
    const second = await client.waitFor("prompt", (f) => f.text === "second task");
    client.sendEvents([
      { seq: 3, event: { type: "usage", inputTokens: 10, outputTokens: 5, costUsd: 0.5 } },
      { seq: 4, event: { type: "turn.end", promptId: second.promptId, status: "completed" } },
    ]);
    await waitFor("idle", async () => (await statusOf(s.id)) === "idle");
    const session = Session.parse(await (await api(`/api/v1/sessions/${s.id}`)).json());
    expect(session.costUsd).toBeCloseTo(0.75);
    await api(`/api/v1/sessions/${s.id}/stop`, { method: "POST" });
    await client.waitFor("shutdown");
    expect(await statusOf(s.id)).toBe("stopped");
    client.close();
  });

  it("resends a dispatched prompt when the runtime reports ready without having it", async () => {
    const s = await createSession("do the thing");
    const token = await useIncarnation(s, "inc-lost");
    const a = await SandboxClient.connect(token);
    a.send({ v: 1, type: "ready" });
    const lost = await a.waitFor("prompt");
    a.close();
    const b = await SandboxClient.connect(token);
    b.send({ v: 1, type: "ready" });
    expect((await b.waitFor("prompt")).promptId).toBe(lost.promptId);
    b.close();
  });

  it("fails the session on a fatal runtime error and when the sandbox goes silent", async () => {
    const fatal = await createSession();
    const client = await SandboxClient.connect(await useIncarnation(fatal, "inc-fatal"));
    client.sendEvents([
      { seq: 1, event: { type: "error", code: "agent_not_installed", message: "claude is missing" } },
    ]);
    await waitFor("failed", async () => (await statusOf(fatal.id)) === "failed");
    client.close();

    const silent = await createSession();
    const stub = sessionStub(silent.id);
    await waitForLaunch(silent);
    await runInDurableObject(stub, (_a: SessionAgent, state) => {
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO deadlines (name, at) VALUES ('sandbox.heartbeat', ?)",
        Date.now() - 1,
      );
    });
    await runDurableObjectAlarm(stub);
    expect(await statusOf(silent.id)).toBe("failed");
  });

  it("the git proxy refuses a bad token and a superseded incarnation's token with 401", async () => {
    const s = await createSession();
    const token = await useIncarnation(s, "inc-git");
    const remote = `/sandbox/git/local/${s.repo.kind === "local" ? s.repo.path : "?"}.git`;
    const infoRefs = (password: string) =>
      api(
        `${remote}/info/refs?service=git-upload-pack`,
        { headers: { authorization: `Basic ${btoa(`x-sandbox-token:${password}`)}` } },
        null,
      );
    const bad = await infoRefs("nope");
    expect(bad.status).toBe(401);
    const stale = await useIncarnation(s, "inc-git-2");
    expect(stale).not.toBe(token);
    const superseded = await infoRefs(token);
    expect(superseded.status).toBe(401);
  });
});
