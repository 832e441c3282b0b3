/**
 * Event pages and stream frames bounded by bytes (a backlog of large events never becomes one
 * huge frame or response), and a frame that cannot be sent closes the socket so the client
 * resumes from its cursor instead of silently missing events (issue 11 §7).
 */
import { runInDurableObject } from "cloudflare:test";
import { ClientCloseCode, EventsPage, type Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { PAGE_MAX_BYTES } from "../src/session/event-pages";
import { api, appendEvents, createSession, StreamClient, sessionStub, waitFor } from "./helpers";

const EVENT_TEXT_BYTES = 60_000;
const BIG_EVENTS = 500;
/** One frame may exceed the page budget by the envelope and at most one event. */
const FRAME_LIMIT = PAGE_MAX_BYTES + EVENT_TEXT_BYTES + 1_000;

async function appendBigEvents(s: Session): Promise<number> {
  let last = 0;
  for (let batch = 0; batch < BIG_EVENTS / 50; batch++) {
    const events = Array.from({ length: 50 }, (_, i) => ({
      type: "message.delta" as const,
      messageId: "big",
      text: `${batch * 50 + i}:`.padEnd(EVENT_TEXT_BYTES, "x"),
    }));
    last = (await appendEvents(s, events)).lastSeq;
  }
  return last;
}

describe("byte-bounded pages", () => {
  it("a backlog of 500 events of 60 KB replays in frames of about 1 MB, not one 30 MB frame", async () => {
    const s = await createSession();
    const last = await appendBigEvents(s);
    const client = await StreamClient.open(s.id);
    await client.waitForFrame("replay.done", () => true, 15_000);
    const eventFrames = client.frames.filter((f) => f.type === "events");
    expect(eventFrames.length).toBeGreaterThan(20);
    for (const frame of eventFrames) expect(JSON.stringify(frame).length).toBeLessThanOrEqual(FRAME_LIMIT);
    const seqs = client.seqs;
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(client.lastSeq).toBe(last);
    client.close();
  });

  it("an events page of 500 large events stops at about 1 MB and its cursor continues", async () => {
    const s = await createSession();
    const last = await appendBigEvents(s);
    let after = 0;
    let pages = 0;
    while (after < last && pages < 100) {
      const res = await api(`/api/v1/sessions/${s.id}/events?after=${after}&limit=500`);
      const body = await res.text();
      expect(body.length).toBeLessThanOrEqual(FRAME_LIMIT);
      const page = EventsPage.parse(JSON.parse(body));
      expect(page.events[0]?.seq).toBe(after + 1);
      expect(page.hasMore).toBe(page.nextAfter < last);
      after = page.nextAfter;
      pages++;
    }
    expect(after).toBe(last);
    expect(pages).toBeGreaterThan(20);
  });
});

describe("send failures", () => {
  it("a frame that fails to send closes the socket with a resume code, so the client reconnects and gets it", async () => {
    const s = await createSession();
    const client = await StreamClient.open(s.id);
    let closeCode: number | null = null;
    client.ws.addEventListener("close", (e) => {
      closeCode = e.code;
    });
    await client.waitForFrame("replay.done");
    const cursor = client.lastSeq;
    // The DO's sends of the poisoned event fail, as a send into a broken socket does.
    await runInDurableObject(sessionStub(s.id), () => {
      const proto = WebSocket.prototype as unknown as { send(data: unknown): void; realSend?: unknown };
      proto.realSend ??= proto.send;
      const real = proto.realSend as (data: unknown) => void;
      proto.send = function (this: WebSocket, data: unknown) {
        if (typeof data === "string" && data.includes("POISON-")) throw new Error("injected send failure");
        real.call(this, data);
      };
    });
    try {
      await appendEvents(s, [{ type: "message.delta", messageId: "m", text: "POISON-1" }]);
      const code = await waitFor("the stream to close", () => closeCode ?? undefined);
      expect(code).toBe(ClientCloseCode.resume);
      expect(client.events.some((e) => JSON.stringify(e).includes("POISON-1"))).toBe(false);
    } finally {
      await runInDurableObject(sessionStub(s.id), () => {
        const proto = WebSocket.prototype as unknown as { send: unknown; realSend?: unknown };
        if (proto.realSend) proto.send = proto.realSend;
      });
    }
    const resumed = await StreamClient.open(s.id, `?after=${cursor}`);
    await resumed.waitForFrame("replay.done");
    expect(resumed.events.some((e) => JSON.stringify(e).includes("POISON-1"))).toBe(true);
    expect(resumed.events[0]?.seq).toBe(cursor + 1);
    resumed.close();
  });
});
