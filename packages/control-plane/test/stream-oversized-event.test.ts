/**
 * One event may be larger than a whole page (a tool's output of a megabyte of UTF-8): it is sent
 * alone, in its own frame or page, and the cursor moves past it. Dropping it would stall replay
 * and paging at that event for good.
 */
import { EventsPage } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { PAGE_MAX_BYTES } from "../src/session/event-pages";
import { api, appendEvents, createSession, StreamClient } from "./helpers";

// 600 000 two-byte characters: 1.2 MB of JSON, though within an event's 1 000 000-character limit.
const HUGE_TEXT = "é".repeat(600_000);

describe("an event larger than a page", () => {
  it("is replayed and paged on its own, and the cursor continues after it", async () => {
    const s = await createSession();
    const huge = await appendEvents(s, [{ type: "message.delta", messageId: "big", text: HUGE_TEXT }]);
    const after = await appendEvents(s, [{ type: "message.delta", messageId: "m", text: "after" }]);
    expect(new TextEncoder().encode(HUGE_TEXT).byteLength).toBeGreaterThan(PAGE_MAX_BYTES);

    const client = await StreamClient.open(s.id, `?after=${huge.firstSeq - 1}`);
    const done = await client.waitForFrame("replay.done");
    const replayed = client.seqs.filter((seq) => seq <= done.lastSeq);
    expect(replayed).toEqual(
      Array.from({ length: done.lastSeq - huge.firstSeq + 1 }, (_, i) => huge.firstSeq + i),
    );
    expect(replayed).toContain(after.lastSeq);
    client.close();

    const res = await api(`/api/v1/sessions/${s.id}/events?after=${huge.firstSeq - 1}&limit=500`);
    const page = EventsPage.parse(await res.json());
    expect(page.events.map((e) => e.seq)).toEqual([huge.firstSeq]);
    expect(page.nextAfter).toBe(huge.firstSeq);
    expect(page.hasMore).toBe(true);
  });
});
