import { describe, expect, it } from "vitest";
import { appendEvents, createSession, deltas, logSeqs, StreamClient } from "./helpers";
import { waitForLaunch } from "./sandbox-client";

describe("stream replay from a cursor", () => {
  it("a watcher that missed only the newest event gets it in its replay", async () => {
    const s = await createSession();
    // Once launched, the session appends nothing on its own (no sandbox connects here), so the
    // event appended next is the head when the watcher connects: exactly one event is missed.
    await waitForLaunch(s);
    const { lastSeq } = await appendEvents(s, deltas(1));
    expect((await logSeqs(s)).at(-1)).toBe(lastSeq);
    const client = await StreamClient.open(s.id, `?after=${lastSeq - 1}`);
    const done = await client.waitForFrame("replay.done");
    expect(done.lastSeq).toBe(lastSeq);
    expect(client.seqs.filter((seq) => seq <= done.lastSeq)).toEqual([lastSeq]);
    client.close();
  });
});
