import { describe, expect, it } from "vitest";
import { formatPath, parsePayloadPath, readPayloadPath } from "../index.ts";

describe("readPayloadPath", () => {
  const payload = { repository: { full_name: "acme/api" }, runs: [{ id: 7 }, { id: 8 }], "x-y": { z: 1 } };

  it.each([
    ["payload.repository.full_name", "acme/api"],
    ["payload.runs[1].id", 8],
    ["payload.runs.1.id", 8],
    ['payload["x-y"].z', 1],
    ["payload.runs.length", 2],
    ["payload.runs[5]", undefined],
    ["payload.repository.full_name.length", undefined],
    ["payload", payload],
  ])("%s → %j", (path, expected) => {
    expect(readPayloadPath(payload, path)).toEqual(expected);
  });

  it.each(["repository.full_name", "preset.x", "payload.", "payload.a b", "payload[-1]", "", "payload.a]"])(
    "a malformed path %j reads as undefined",
    (path) => {
      expect(readPayloadPath(payload, path)).toBeUndefined();
    },
  );

  it("reads nothing out of a scalar payload", () => {
    expect(readPayloadPath("text", "payload.length")).toBeUndefined();
    expect(readPayloadPath(null, "payload.a")).toBeUndefined();
  });
});

describe("parsePayloadPath", () => {
  it("explains a malformed path with its position", () => {
    const parsed = parsePayloadPath("payload.a b");
    expect(parsed).toEqual({
      ok: false,
      error: { message: "unexpected ' b' after the path at 9", position: 9 },
    });
  });

  it("refuses preset paths unless asked to allow them", () => {
    expect(parsePayloadPath("preset.title").ok).toBe(false);
    expect(parsePayloadPath("preset.title", ["payload", "preset"]).ok).toBe(true);
  });

  it("formats a path back canonically", () => {
    const parsed = parsePayloadPath('payload.a[0]["b c"].d-e["f"]');
    expect(parsed.ok && formatPath(parsed.path)).toBe('payload.a[0]["b c"].d-e.f');
  });

  it("refuses an index with more than 9 digits", () => {
    expect(parsePayloadPath("payload.a[1234567890]").ok).toBe(false);
  });
});
