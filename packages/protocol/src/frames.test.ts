import { describe, expect, it } from "vitest";
import { parseFrame } from "./frames.ts";
import { ClientFrame, MAX_FRAME_BYTES, RuntimeFrame } from "./index.ts";

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

  it("tells a client exactly why its frame was refused", () => {
    expect(parseFrame(ClientFrame, new ArrayBuffer(2), known)).toEqual({
      ok: false,
      code: "invalid_frame",
      message: "binary frames are not accepted; send JSON text",
    });
    expect(parseFrame(ClientFrame, "{", known)).toEqual({
      ok: false,
      code: "invalid_frame",
      message: "frame is not valid JSON",
    });
    for (const raw of ["null", "[]", '"ping"', '{"v":1}'])
      expect(parseFrame(ClientFrame, raw, known)).toEqual({
        ok: false,
        code: "unknown_frame",
        message: "unknown frame type null; expected one of ping, typing",
      });
    expect(parseFrame(ClientFrame, '{"v":1,"type":"typing","typing":1}', known)).toEqual({
      ok: false,
      code: "invalid_frame",
      message: "invalid typing frame at typing: Invalid input: expected boolean, received number",
    });
    const noPath = parseFrame(ClientFrame, '{"v":1,"type":"ping","extra":1}', known);
    expect(noPath).toMatchObject({ ok: false, code: "invalid_frame" });
    expect(noPath.ok ? "" : noPath.message).toMatch(/^invalid ping frame: /);
  });

  it("accepts a frame of exactly MAX_FRAME_BYTES and refuses one byte more", () => {
    const frame = (size: number) => {
      const head = '{"v":1,"type":"ping","nonce":"';
      return `${head}${"n".repeat(size - head.length - 2)}"}`;
    };
    expect(parseFrame(ClientFrame, frame(MAX_FRAME_BYTES + 1), known)).toEqual({
      ok: false,
      code: "invalid_frame",
      message: `frame is larger than ${MAX_FRAME_BYTES} bytes`,
    });
    // At the limit the frame is parsed (and here refused only for its 100-character nonce bound).
    expect(parseFrame(ClientFrame, frame(MAX_FRAME_BYTES), known)).toMatchObject({
      ok: false,
      message: expect.stringContaining("at nonce"),
    });
  });
});
