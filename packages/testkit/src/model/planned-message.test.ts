import { describe, expect, it } from "vitest";
import { formatSse, splitIntoChunks } from "./planned-message";

describe("splitIntoChunks", () => {
  it("splits into near-equal pieces that join back", () => {
    expect(splitIntoChunks("abcdefghij", 3)).toEqual(["abcd", "efgh", "ij"]);
  });
  it("never cuts a code point and never makes more pieces than characters", () => {
    expect(splitIntoChunks("a😀b", 10)).toEqual(["a", "😀", "b"]);
  });
  it("keeps one empty piece for empty text", () => {
    expect(splitIntoChunks("", 4)).toEqual([""]);
  });
});

describe("formatSse", () => {
  it("writes the event line only when there is an event name", () => {
    expect(formatSse({ event: "ping", data: { type: "ping" } })).toBe(
      'event: ping\ndata: {"type":"ping"}\n\n',
    );
    expect(formatSse({ data: "[DONE]" })).toBe("data: [DONE]\n\n");
  });
});
