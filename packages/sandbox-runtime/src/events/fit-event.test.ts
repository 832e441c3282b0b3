import { describe, expect, it } from "vitest";
import { fitEvent } from "./fit-event";

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
});
