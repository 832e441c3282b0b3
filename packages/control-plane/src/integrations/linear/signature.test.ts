/** Linear's webhook signature: hex HMAC-SHA256 of the raw bytes, and the one-minute timestamp window. */
import { describe, expect, it } from "vitest";
import { isFreshTimestamp, signLinearBody, verifyLinearSignature } from "./signature";

const body = new TextEncoder().encode('{"type":"AgentSessionEvent","webhookTimestamp":1767477625781}');

describe("verifyLinearSignature", () => {
  it("accepts the signature Linear computes, in either case", async () => {
    const signature = await signLinearBody("whsec", body);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyLinearSignature("whsec", signature, body)).toBe(true);
    expect(await verifyLinearSignature("whsec", signature.toUpperCase(), body)).toBe(true);
  });

  it("refuses another secret, a changed byte, a missing or malformed signature", async () => {
    const signature = await signLinearBody("whsec", body);
    expect(await verifyLinearSignature("other", signature, body)).toBe(false);
    const changed = body.slice();
    changed[2] = 0x55;
    expect(await verifyLinearSignature("whsec", signature, changed)).toBe(false);
    expect(await verifyLinearSignature("whsec", undefined, body)).toBe(false);
    expect(await verifyLinearSignature("whsec", `sha256=${signature}`, body)).toBe(false);
  });

  it("takes a timestamp within a minute either way, and nothing else", () => {
    const now = 1_767_477_625_781;
    expect(isFreshTimestamp(now - 59_000, now)).toBe(true);
    expect(isFreshTimestamp(now + 59_000, now)).toBe(true);
    expect(isFreshTimestamp(now - 61_000, now)).toBe(false);
    expect(isFreshTimestamp(String(now), now)).toBe(false);
    expect(isFreshTimestamp(undefined, now)).toBe(false);
  });
});
