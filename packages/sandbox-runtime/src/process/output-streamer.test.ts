import type { AgentEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { describe, expect, it } from "vitest";
import { createOutputStreamer } from "./output-streamer";

const texts = (events: AgentEvent[]) => events.map((e) => (e.type === "log" ? e.text : ""));

describe("createOutputStreamer", () => {
  it("coalesces many lines into few events and keeps partial lines for later", async () => {
    const events: AgentEvent[] = [];
    const streamer = createOutputStreamer({
      source: "setup",
      stream: "stdout",
      emit: (e) => events.push(e),
      flushMs: 20,
    });
    for (let i = 0; i < 100; i++) streamer.write(`line ${i}\n`);
    streamer.write("partial");
    await waitFor(() => events.length > 0, "a flush");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "log", source: "setup", stream: "stdout" });
    expect(texts(events)[0]).toMatch(/^line 0\n[\s\S]*line 99\n$/);
    streamer.write(" line\n");
    streamer.end();
    expect(texts(events).join("")).toContain("partial line\n");
  });

  it("decodes UTF-8 split across chunks and splits huge output at line ends", () => {
    const events: AgentEvent[] = [];
    const streamer = createOutputStreamer({
      source: "s",
      stream: "stderr",
      emit: (e) => events.push(e),
      maxChunk: 100,
    });
    const euro = Buffer.from("€\n");
    streamer.write(euro.subarray(0, 1));
    streamer.write(euro.subarray(1));
    streamer.write(`${"a".repeat(60)}\n${"b".repeat(60)}\n`);
    streamer.end();
    const all = texts(events).join("");
    expect(all).toBe(`€\n${"a".repeat(60)}\n${"b".repeat(60)}\n`);
    expect(Math.max(...texts(events).map((t) => t.length))).toBeLessThanOrEqual(100);
  });
});
