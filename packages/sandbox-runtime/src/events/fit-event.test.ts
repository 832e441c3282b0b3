import { describe, expect, it } from "vitest";
import { fitEvent, MAX_EVENT_BYTES } from "./fit-event";

describe("fitEvent", () => {
  it("returns small events untouched", () => {
    const event = { type: "message", text: "short" };
    expect(fitEvent(event, 1000)).toBe(event);
  });

  it("cuts the longest strings until the JSON fits, and says so", () => {
    const event = {
      type: "tool.end",
      toolId: "t",
      output: "x".repeat(50_000),
      name: "y".repeat(3000),
      isError: false,
    };
    const fitted = fitEvent(event, 10_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(10_000);
    expect(fitted.output).toMatch(/characters cut by nightshift/);
    expect(fitted.isError).toBe(false);
    expect(event.output).toHaveLength(50_000);
  });

  it("measures bytes, not characters", () => {
    const fitted = fitEvent({ type: "message", text: "é".repeat(20_000) }, 10_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(10_000);
  });

  it("cuts by the overflow plus room for the note, keeping the start, and counts what it cut", () => {
    const fitted = fitEvent({ t: "x".repeat(1000) }, 900);
    // 1008 bytes of JSON, 108 over: keep 1000 - 108 - 64 characters.
    expect(fitted.t).toBe(`${"x".repeat(828)}\n… [172 characters cut by nightshift: event too large]`);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(900);
  });

  it("finds the longest string anywhere: in arrays and nested objects", () => {
    const event = {
      type: "tool.end",
      content: [
        { kind: "text", text: "a".repeat(200) },
        { kind: "text", text: "b".repeat(20_000) },
      ],
      meta: { note: "c".repeat(5_000) },
    };
    const fitted = fitEvent(event, 8_000);
    expect(fitted.content[1]?.text).toMatch(/^b+\n… \[\d+ characters cut by nightshift: event too large\]$/);
    expect(fitted.content[0]?.text).toBe("a".repeat(200));
    expect(fitted.meta.note).toBe("c".repeat(5_000));
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(8_000);
    // Nulls and numbers beside the long string are kept as they are.
    const withNull = fitEvent({ id: null, n: 5, ok: true, text: "e".repeat(3000) }, 1_000);
    expect(withNull).toMatchObject({ id: null, n: 5, ok: true });
    expect(withNull.text).toMatch(/characters cut by nightshift/);
    const deep = fitEvent({ a: { b: { c: ["d".repeat(3000)] } } }, 1_000);
    expect(deep.a.b.c[0]).toMatch(/characters cut by nightshift/);
  });

  it("cuts several large strings in turn until the whole event fits", () => {
    const fitted = fitEvent({ a: "a".repeat(6000), b: "b".repeat(6000), c: "c".repeat(6000) }, 4_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(4_000);
    for (const key of ["a", "b", "c"] as const) expect(fitted[key]).toMatch(/characters cut by nightshift/);
  });

  it("leaves strings under 64 characters alone, even if the event stays too large", () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, "s".repeat(60)]));
    const fitted = fitEvent(many, 1_000);
    expect(fitted).toEqual(many);
    expect(fitted).not.toBe(many);
  });

  it("lets an event up to 256 KiB through as it is", () => {
    expect(MAX_EVENT_BYTES).toBe(256 * 1024);
    const event = { text: "z".repeat(MAX_EVENT_BYTES - 11) };
    expect(Buffer.byteLength(JSON.stringify(event))).toBe(MAX_EVENT_BYTES);
    expect(fitEvent(event)).toBe(event);
    expect(fitEvent({ text: "z".repeat(MAX_EVENT_BYTES) }).text).toMatch(/characters cut by nightshift/);
  });
});
