import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appendEvents, createSession, deltas, StreamClient, sessionStub, waitFor } from "./helpers";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("session stream", () => {
  it("replays the backlog after the cursor, then streams live events", async () => {
    const s = await createSession();
    await appendEvents(s, deltas(7)); // seqs 4..10
    const client = await StreamClient.open(s.id, "?after=5");
    await client.waitForFrame("replay.done");
    expect(client.seqs).toEqual(range(6, 10));
    expect(client.frames.find((f) => f.type === "replay.done")).toMatchObject({ lastSeq: 10 });
    await appendEvents(s, deltas(3, 100));
    await client.waitForSeq(13);
    expect(client.seqs).toEqual(range(6, 13));
    expect(client.events.at(-1)?.event).toEqual({ type: "message.delta", messageId: "m1", text: "t102" });
    client.close();
  });

  it("delivers the same events in the same order to two clients", async () => {
    const s = await createSession();
    const a = await StreamClient.open(s.id);
    const b = await StreamClient.open(s.id);
    for (let i = 0; i < 10; i++) await appendEvents(s, deltas(5, i * 5));
    await a.waitForSeq(53);
    await b.waitForSeq(53);
    expect(a.seqs).toEqual(range(1, 53));
    expect(b.seqs).toEqual(a.seqs);
    expect(b.events).toEqual(a.events);
    a.close();
    b.close();
  });

  it("a client reconnecting with its last cursor gets exactly what it missed", async () => {
    const s = await createSession();
    const first = await StreamClient.open(s.id);
    await appendEvents(s, deltas(10));
    await first.waitForSeq(13);
    const cursor = first.lastSeq;
    first.close();
    await appendEvents(s, deltas(25, 10)); // missed while away: 14..38
    const again = await StreamClient.open(s.id, `?after=${cursor}`);
    await again.waitForFrame("replay.done");
    await appendEvents(s, deltas(2, 50)); // live: 39..40
    await again.waitForSeq(40);
    const all = [...first.seqs, ...again.seqs];
    expect(all).toEqual(range(1, 40));
    again.close();
  });

  it("a cursor beyond the log gives an empty replay and then live events", async () => {
    const s = await createSession();
    const client = await StreamClient.open(s.id, "?after=500");
    const done = await client.waitForFrame("replay.done");
    expect(done.lastSeq).toBe(3);
    expect(client.events).toEqual([]);
    await appendEvents(s, deltas(1));
    await client.waitForSeq(4);
    expect(client.seqs).toEqual([4]);
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

  it("broadcasts presence as watchers come, type and go", async () => {
    const s = await createSession();
    const a = await StreamClient.open(s.id, "?name=Ada");
    await a.waitForFrame("presence", (f) => f.participants.length === 1);
    const b = await StreamClient.open(s.id, "?name=Ada");
    await a.waitForFrame(
      "presence",
      (f) => f.participants.length === 1 && f !== a.frames.find((x) => x.type === "presence"),
    );
    b.send({ v: 1, type: "typing", typing: true });
    await a.waitForFrame("presence", (f) => f.participants[0]?.typing === true);
    b.close();
    await waitFor("presence after b left", () =>
      a.frames.some(
        (f) => f.type === "presence" && f.participants.length === 1 && f.participants[0]?.typing === false,
      ),
    );
    a.close();
  });

  it("keeps its log and sockets when the DO is evicted and re-instantiated", async () => {
    const s = await createSession();
    await appendEvents(s, deltas(20));
    const client = await StreamClient.open(s.id);
    await client.waitForSeq(23);
    await evictDurableObject(sessionStub(s.id));
    await appendEvents(s, deltas(2, 20));
    await client.waitForSeq(25);
    expect(client.seqs).toEqual(range(1, 25));
    const late = await StreamClient.open(s.id);
    await late.waitForFrame("replay.done");
    expect(late.seqs).toEqual(range(1, 25));
    client.close();
    late.close();
  });
});
