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

  it("sends a partial line (a prompt) after a short wait, without waiting for the end", async () => {
    const events: AgentEvent[] = [];
    const streamer = createOutputStreamer({
      source: "s",
      stream: "stdout",
      emit: (e) => events.push(e),
      flushMs: 20,
    });
    streamer.write("done\nPassword: ");
    await waitFor(() => events.length >= 2, "the line, then the prompt on its own");
    expect(texts(events)).toEqual(["done\n", "Password: "]);
    streamer.end();
    expect(events).toHaveLength(2);
  });

  it("cuts output over the chunk size at the last line end within it, else at the size", () => {
    const events: AgentEvent[] = [];
    const streamer = createOutputStreamer({
      source: "s",
      stream: "stdout",
      emit: (e) => events.push(e),
      maxChunk: 10,
    });
    streamer.write("12345\n1234567890abc\n");
    expect(texts(events)).toEqual(["12345\n", "1234567890"]);
    streamer.write("1234567\n90\nxyz");
    expect(texts(events).slice(2)).toEqual(["abc\n", "1234567\n90\n"]);
    streamer.end();
    expect(texts(events).slice(4)).toEqual(["xyz"]);
  });

  it("sends 16 KiB of a line with no end at once by default, and nothing for no output", () => {
    const events: AgentEvent[] = [];
    const streamer = createOutputStreamer({ source: "build", stream: "stderr", emit: (e) => events.push(e) });
    streamer.write("x".repeat(16 * 1024 + 5));
    expect(events).toEqual([{ type: "log", source: "build", stream: "stderr", text: "x".repeat(16 * 1024) }]);
    streamer.end();
    expect(texts(events)).toEqual(["x".repeat(16 * 1024), "xxxxx"]);
    const quiet: AgentEvent[] = [];
    createOutputStreamer({ source: "q", stream: "stdout", emit: (e) => quiet.push(e) }).end();
    expect(quiet).toEqual([]);
  });

  it("waits about flushMs (100 ms by default) before sending a complete line", async () => {
    const events: AgentEvent[] = [];
    const streamer = createOutputStreamer({ source: "s", stream: "stdout", emit: (e) => events.push(e) });
    const started = Date.now();
    streamer.write("one\n");
    expect(events).toEqual([]);
    await waitFor(() => events.length > 0, "the timed flush");
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(texts(events)).toEqual(["one\n"]);
  });
});
