import { describe, expect, it } from "vitest";
import { firstTurn, followUpTurn, stored } from "../../test/sample-events";
import { applyEvents, emptyTimeline, type TimelineItem } from "./timeline";

function kinds(items: readonly TimelineItem[]) {
  return items.map((i) => i.kind);
}

describe("applyEvents", () => {
  it("folds a whole turn into prompts, messages, tools, push and PR", () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    expect(kinds(t.items)).toEqual([
      "status",
      "prompt",
      "status",
      "message",
      "tool",
      "tool",
      "message",
      "turn",
      "push",
      "pr",
      "status",
    ]);
    expect(t.lastSeq).toBe(firstTurn.length);
    expect(t.status).toBe("idle");
    expect(t.turnRunning).toBe(false);
    expect(t.push?.filesChanged).toBe(1);
    expect(t.pr?.number).toBe(7);
    expect(t.promptIds.has("p1")).toBe(true);
  });

  it("accumulates deltas per message until the final message replaces them", () => {
    const events = stored(firstTurn);
    const streaming = applyEvents(emptyTimeline, events.slice(0, 6));
    const partial = streaming.items.find((i) => i.kind === "message");
    expect(partial).toMatchObject({ text: "I'll create **hello.txt** with a greeting.", streaming: true });

    const done = applyEvents(streaming, events.slice(6, 7));
    const final = done.items.find((i) => i.kind === "message");
    expect(final).toMatchObject({ text: "I'll create **hello.txt** with a greeting.", streaming: false });
    // The same item was replaced in place, not appended.
    expect(done.items.filter((i) => i.kind === "message")).toHaveLength(1);
    expect(final?.key).toBe(partial?.key);
  });

  it("takes the final message's text even when it differs from the deltas", () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    const m2 = t.items.find((i) => i.kind === "message" && i.messageId === "m2");
    expect(m2).toMatchObject({ text: "Done:\n\n- wrote `hello.txt`\n- checked it", streaming: false });
  });

  it("ignores deltas that arrive after the final message", () => {
    const events = stored([
      { type: "message", messageId: "x", role: "assistant", text: "final" },
      { type: "message.delta", messageId: "x", text: " late" },
    ]);
    const t = applyEvents(emptyTimeline, events);
    expect(t.items).toHaveLength(1);
    expect(t.items[0]).toMatchObject({ text: "final", streaming: false });
  });

  it("pairs tool.end with its tool.start and keeps errors", () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    const tools = t.items.filter((i) => i.kind === "tool");
    expect(tools).toEqual([
      expect.objectContaining({
        name: "Write",
        done: true,
        isError: false,
        output: expect.stringContaining("created"),
      }),
      expect.objectContaining({
        name: "Bash",
        done: true,
        isError: true,
        input: { command: "cat hello.txt", description: "show file" },
      }),
    ]);
  });

  it("shows a tool.end whose start is missing", () => {
    const t = applyEvents(
      emptyTimeline,
      stored([{ type: "tool.end", toolId: "orphan", output: "ok", isError: false }]),
    );
    expect(t.items[0]).toMatchObject({ kind: "tool", name: "tool", done: true, output: "ok" });
  });

  it("adds usage across turns", () => {
    const t = applyEvents(emptyTimeline, stored([...firstTurn, ...followUpTurn]));
    expect(t.usage).toEqual({
      inputTokens: 54,
      outputTokens: 24,
      cacheReadTokens: 100,
      cacheWriteTokens: 5,
      costUsd: expect.closeTo(0.000582, 9),
      costUnknown: false,
    });
  });

  it("marks the cost unknown when a usage event came without one, and keeps summing the priced ones", () => {
    const unpriced = {
      type: "usage",
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    } as const;
    const t = applyEvents(emptyTimeline, stored([...firstTurn, unpriced]));
    const priced = applyEvents(emptyTimeline, stored(firstTurn));
    expect(priced.usage.costUnknown).toBe(false);
    expect(t.usage.costUnknown).toBe(true);
    expect(t.usage.costUsd).toBe(priced.usage.costUsd);
    expect(t.usage.inputTokens).toBe(priced.usage.inputTokens + 10);
  });

  it("groups consecutive log lines of one source and ends a turn on a terminal status", () => {
    const t = applyEvents(emptyTimeline, stored([...firstTurn, ...followUpTurn]));
    const logs = t.items.filter((i) => i.kind === "log");
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      source: "start.sh",
      lines: [{ stream: "stdout" }, { stream: "stderr" }],
    });
    expect(t.status).toBe("failed");
    expect(t.statusReason).toBe("budget exceeded");
    expect(t.turnRunning).toBe(false);
    expect(t.items.some((i) => i.kind === "error" && i.code === "budget_exceeded")).toBe(true);
  });

  it("marks a turn as running between its prompt and turn.end", () => {
    const events = stored([...firstTurn, ...followUpTurn]);
    const before = applyEvents(emptyTimeline, events.slice(0, firstTurn.length + 2));
    expect(before.turnRunning).toBe(true);
  });

  it("knows which prompts are queued behind the running turn", () => {
    const events = stored([
      { type: "prompt", promptId: "a", text: "first", author: "Ada" },
      { type: "prompt", promptId: "b", text: "second", author: "Grace" },
      { type: "prompt", promptId: "c", text: "third", author: "Ada" },
      { type: "turn.end", promptId: "a", status: "completed" },
    ]);
    expect(applyEvents(emptyTimeline, events.slice(0, 3)).openPrompts).toEqual(["a", "b", "c"]);
    const t = applyEvents(emptyTimeline, events);
    expect(t.openPrompts).toEqual(["b", "c"]);
    expect(t.turnRunning).toBe(true);
    const stopped = applyEvents(t, stored([{ type: "session.status", status: "stopped" }], 5));
    expect(stopped.openPrompts).toEqual([]);
    expect(stopped.turnRunning).toBe(false);
  });

  it("drops events at or below the cursor, so a batch applied twice changes nothing", () => {
    const events = stored(firstTurn);
    const once = applyEvents(emptyTimeline, events);
    const twice = applyEvents(once, events);
    expect(twice.items).toEqual(once.items);
    expect(twice.usage).toEqual(once.usage);
  });

  it("gives the same result in one batch or one event at a time", () => {
    const events = stored([...firstTurn, ...followUpTurn]);
    const whole = applyEvents(emptyTimeline, events);
    const stepwise = events.reduce((t, e) => applyEvents(t, [e]), emptyTimeline);
    expect(stepwise.items).toEqual(whole.items);
    expect(stepwise.usage).toEqual(whole.usage);
  });

  it("keeps unchanged items' identity so rendering can skip them", () => {
    const events = stored(firstTurn);
    const a = applyEvents(emptyTimeline, events.slice(0, 5));
    const b = applyEvents(a, events.slice(5, 6));
    expect(b.items[0]).toBe(a.items[0]);
    expect(b.items[1]).toBe(a.items[1]);
    expect(b.items[3]).not.toBe(a.items[3]);
  });

  it("starts a new log group when the source changes, another item comes between, or a group reaches 500 lines", () => {
    const line = (source: string, text: string) => ({
      type: "log" as const,
      source,
      stream: "stdout" as const,
      text,
    });
    const t = applyEvents(
      emptyTimeline,
      stored([
        line("setup.sh", "a"),
        line("setup.sh", "b"),
        line("build.sh", "c"),
        { type: "error", code: "x", message: "between" },
        line("build.sh", "d"),
      ]),
    );
    expect(
      t.items.map((i) => (i.kind === "log" ? `${i.source}:${i.lines.map((l) => l.text).join("")}` : i.kind)),
    ).toEqual(["setup.sh:ab", "build.sh:c", "error", "build.sh:d"]);

    const many = applyEvents(
      emptyTimeline,
      stored(Array.from({ length: 501 }, (_, i) => line("npm", String(i)))),
    );
    const groups = many.items.filter((i) => i.kind === "log");
    expect(groups.map((g) => g.lines.length)).toEqual([500, 1]);
    expect(groups[1]?.lines[0]?.text).toBe("500");
  });

  it("keeps the queue place while queued and clears it once the session moves on", () => {
    const queued = applyEvents(
      emptyTimeline,
      stored([
        { type: "session.status", status: "queued" },
        { type: "session.queue", position: 3 },
        { type: "session.status", status: "queued" },
      ]),
    );
    expect(queued.queuePosition).toBe(3);
    const started = applyEvents(queued, stored([{ type: "session.status", status: "starting" }], 4));
    expect(started.queuePosition).toBeNull();
    expect(started.statusReason).toBeNull();
    expect(started.items.at(-1)).toMatchObject({ kind: "status", status: "starting", reason: null });
    expect(started.firstAt).toBe(queued.items[0]?.at);
    expect(started.statusAt).toBe(started.items.at(-1)?.at);
  });

  it("ends the oldest open prompt when turn.end names none, with null duration and summary", () => {
    const t = applyEvents(
      emptyTimeline,
      stored([
        { type: "prompt", promptId: "a", text: "first", author: "Ada" },
        { type: "prompt", promptId: "b", text: "second", author: "Ada" },
        { type: "turn.end", status: "completed" },
      ]),
    );
    expect(t.openPrompts).toEqual(["b"]);
    expect(t.items.at(-1)).toMatchObject({
      kind: "turn",
      status: "completed",
      durationMs: null,
      summary: null,
    });
  });

  it("shows a tool as running until its end arrives, and a streamed message as the assistant's", () => {
    const t = applyEvents(
      emptyTimeline,
      stored([
        { type: "tool.start", toolId: "t1", name: "Bash", input: { command: "ls" } },
        { type: "message.delta", messageId: "m", text: "Hel" },
        { type: "message.delta", messageId: "m", text: "lo" },
      ]),
    );
    expect(t.items[0]).toMatchObject({ kind: "tool", done: false, isError: false, output: null });
    expect(t.items[1]).toMatchObject({ kind: "message", role: "assistant", text: "Hello", streaming: true });
    expect(t.items.map((i) => i.key)).toEqual(["tool.start:1", "message.delta:2"]);
  });

  it("returns the same timeline for an empty batch", () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    expect(applyEvents(t, [])).toBe(t);
  });
});
