import { evictDurableObject } from "cloudflare:test";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import {
  appendEvents,
  createSession,
  createTenant,
  deltas,
  joinTenant,
  logSeqs,
  postJson,
  StreamClient,
  sessionStub,
  waitFor,
} from "./helpers";

describe("session stream", () => {
  it("replays the backlog after the cursor, then streams live events", async () => {
    const s = await createSession();
    await appendEvents(s, deltas(7));
    const client = await StreamClient.open(s.id, "?after=5");
    const done = await client.waitForFrame("replay.done");
    const backlog = (await logSeqs(s)).filter((seq) => seq > 5 && seq <= done.lastSeq);
    expect(backlog.length).toBeGreaterThanOrEqual(5);
    expect(client.seqs.filter((seq) => seq <= done.lastSeq)).toEqual(backlog);
    const live = await appendEvents(s, deltas(3, 100));
    await client.waitForSeq(live.lastSeq);
    expect(client.seqs).toEqual((await logSeqs(s)).filter((seq) => seq > 5));
    expect(client.events.at(-1)?.event).toEqual({ type: "message.delta", messageId: "m1", text: "t102" });
    client.close();
  });

  it("delivers the same events in the same order to two clients", async () => {
    const s = await createSession();
    const a = await StreamClient.open(s.id);
    const b = await StreamClient.open(s.id);
    let last = 0;
    for (let i = 0; i < 10; i++) last = (await appendEvents(s, deltas(5, i * 5))).lastSeq;
    await a.waitForSeq(last);
    await b.waitForSeq(last);
    const log = (await logSeqs(s)).filter((seq) => seq <= last);
    expect(a.seqs.slice(0, log.length)).toEqual(log);
    expect(b.events.slice(0, log.length)).toEqual(a.events.slice(0, log.length));
    a.close();
    b.close();
  });

  it("a client reconnecting with its last cursor gets exactly what it missed", async () => {
    const s = await createSession();
    const first = await StreamClient.open(s.id);
    const before = await appendEvents(s, deltas(10));
    await first.waitForSeq(before.lastSeq);
    const cursor = first.lastSeq;
    // What the client had when it let go: frames that still reach the closing socket are not its.
    const seen = [...first.seqs];
    first.close();
    await appendEvents(s, deltas(25, 10));
    const again = await StreamClient.open(s.id, `?after=${cursor}`);
    await again.waitForFrame("replay.done");
    const live = await appendEvents(s, deltas(2, 50));
    await again.waitForSeq(live.lastSeq);
    expect([...seen, ...again.seqs]).toEqual(await logSeqs(s));
    expect(again.seqs[0]).toBe(cursor + 1);
    again.close();
  });

  it("a cursor beyond the log gives an empty replay and then live events", async () => {
    const s = await createSession();
    const client = await StreamClient.open(s.id, "?after=500");
    const done = await client.waitForFrame("replay.done");
    expect(done.lastSeq).toBeLessThanOrEqual((await logSeqs(s)).at(-1) ?? 0);
    expect(done.lastSeq).toBeGreaterThanOrEqual(3);
    const doneAt = client.frames.findIndex((f) => f.type === "replay.done");
    expect(client.frames.slice(0, doneAt).some((f) => f.type === "events")).toBe(false);
    const live = await appendEvents(s, deltas(1));
    await client.waitForSeq(live.lastSeq);
    expect(client.seqs).toContain(live.lastSeq);
    expect(client.seqs.every((seq) => seq > done.lastSeq)).toBe(true);
    client.close();
  });

  it("answers malformed and unknown frames with a typed error and keeps the socket open", async () => {
    const s = await createSession();
    const client = await StreamClient.open(s.id);
    client.send("{oops");
    client.send({ v: 1, type: "launch-missiles" });
    client.send({ v: 1, type: "typing", typing: "yes" });
    client.send({ v: 1, type: "ping", nonce: "still-here" });
    await client.waitForFrame("pong", (f) => f.nonce === "still-here");
    const errors = client.frames.filter((f) => f.type === "error");
    expect(errors.map((e) => e.type === "error" && e.code)).toEqual([
      "invalid_frame",
      "unknown_frame",
      "invalid_frame",
    ]);
    expect(client.closed).toBe(false);
    client.close();
  });

  it("broadcasts presence as watchers come, type and go, and tells the others when one leaves", async () => {
    const owner = await createTenant("presence");
    const member = await joinTenant(owner, "member");
    const created = await postJson(
      "/api/v1/sessions",
      { repo: { kind: "local", path: "demo" }, prompt: "Watch me" },
      {},
      owner,
    );
    expect(created.status).toBe(201);
    const s = (await created.json()) as Session;
    const a = await StreamClient.open(s.id, "", owner);
    await a.waitForFrame("presence", (f) => f.participants.length === 1);
    const b = await StreamClient.open(s.id, "", member);
    await a.waitForFrame("presence", (f) => f.participants.length === 2);
    b.send({ v: 1, type: "typing", typing: true });
    await a.waitForFrame("presence", (f) =>
      f.participants.some((p) => p.id === member.userId && p.typing === true),
    );
    // Only what arrives after b closes counts: every earlier frame would match a stale roster.
    const framesBeforeClose = a.frames.length;
    b.close();
    const afterLeaving = await waitFor("a presence frame sent after b left", () =>
      a.frames.slice(framesBeforeClose).find((f) => f.type === "presence"),
    );
    expect(afterLeaving.type === "presence" && afterLeaving.participants).toEqual([
      expect.objectContaining({ id: owner.userId, typing: false }),
    ]);
    a.close();
  });

  it("keeps its log and sockets when the DO is evicted and re-instantiated", async () => {
    const s = await createSession();
    const first = await appendEvents(s, deltas(20));
    const client = await StreamClient.open(s.id);
    await client.waitForSeq(first.lastSeq);
    await evictDurableObject(sessionStub(s.id));
    const second = await appendEvents(s, deltas(2, 20));
    expect(second.firstSeq).toBeGreaterThan(first.lastSeq);
    await client.waitForSeq(second.lastSeq);
    expect(client.seqs).toEqual(await logSeqs(s));
    const late = await StreamClient.open(s.id);
    await late.waitForFrame("replay.done");
    expect(late.seqs).toEqual(await logSeqs(s));
    client.close();
    late.close();
  });
});
