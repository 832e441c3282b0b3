import { describe, expect, it } from "vitest";
import { parseFrame } from "./frames.ts";
import { ClientFrame, RuntimeFrame } from "./index.ts";

describe("parseFrame", () => {
  const known = ["ping", "typing"] as const;

  it("accepts a valid frame", () => {
    expect(parseFrame(ClientFrame, '{"v":1,"type":"ping","nonce":"n"}', known)).toEqual({
      ok: true,
      frame: { v: 1, type: "ping", nonce: "n" },
    });
  });

  it("says what is wrong with a bad frame", () => {
    expect(parseFrame(ClientFrame, "nope", known)).toMatchObject({ ok: false, code: "invalid_frame" });
    expect(parseFrame(ClientFrame, '{"v":1,"type":"fly"}', known)).toMatchObject({
      ok: false,
      code: "unknown_frame",
      message: expect.stringContaining("ping, typing"),
    });
    expect(parseFrame(ClientFrame, '{"v":1,"type":"typing","typing":1}', known)).toMatchObject({
      ok: false,
      code: "invalid_frame",
      message: expect.stringContaining("typing"),
    });
    expect(parseFrame(ClientFrame, '{"v":2,"type":"ping"}', known)).toMatchObject({ ok: false });
    expect(parseFrame(ClientFrame, new ArrayBuffer(2), known)).toMatchObject({
      ok: false,
      code: "invalid_frame",
    });
  });

  it("rejects runtime event batches with bad events", () => {
    const frame = { v: 1, type: "events", events: [{ seq: 1, event: { type: "usage", inputTokens: -5 } }] };
    expect(RuntimeFrame.safeParse(frame).success).toBe(false);
    const ok = {
      v: 1,
      type: "events",
      events: [{ seq: 1, event: { type: "message.delta", messageId: "a", text: "b" } }],
    };
    expect(RuntimeFrame.safeParse(ok).success).toBe(true);
  });
});
