import { describe, expect, it } from "vitest";
import { appendEvents, createSession, deltas, logSeqs, StreamClient } from "./helpers";

describe("stream replay from a cursor", () => {
  it("a watcher that missed only the newest event gets it in its replay", async () => {
    const s = await createSession();
    const { lastSeq } = await appendEvents(s, deltas(4));
    const client = await StreamClient.open(s.id, `?after=${lastSeq - 1}`);
    const done = await client.waitForFrame("replay.done");
    const replayed = client.seqs.filter((seq) => seq <= done.lastSeq);
    expect(replayed).toContain(lastSeq);
    expect(replayed).toEqual((await logSeqs(s)).filter((seq) => seq >= lastSeq && seq <= done.lastSeq));
    client.close();
  });
});
