import { describe, expect, it } from "vitest";
import { MASK, maskSecrets } from "./mask-secrets";

describe("maskSecrets", () => {
  it("replaces every occurrence in every string, deeply, without touching the input", () => {
    const event = {
      type: "tool.start",
      toolId: "t1",
      name: "bash",
      input: {
        command: "curl -H 'x-api-key: sk-live-42' https://api?key=sk-live-42",
        args: ["sk-live-42", 42, null],
      },
    };
    const masked = maskSecrets(event, ["sk-live-42"]);
    expect(masked).toEqual({
      type: "tool.start",
      toolId: "t1",
      name: "bash",
      input: { command: `curl -H 'x-api-key: ${MASK}' https://api?key=${MASK}`, args: [MASK, 42, null] },
    });
    expect(event.input.args[0]).toBe("sk-live-42");
  });

  it("masks the longer of two overlapping secrets whole", () => {
    const masked = maskSecrets({ type: "log", text: "token=abcdef123456 short=abcdef" }, [
      "abcdef",
      "abcdef123456",
    ]);
    expect(masked.text).toBe(`token=${MASK} short=${MASK}`);
  });

  it("masks URL-encoded forms and treats regex characters literally", () => {
    const secret = "p@ss/w+rd.*";
    const masked = maskSecrets(
      { type: "message", text: `raw ${secret} encoded ${encodeURIComponent(secret)} other p@ssXw+rd` },
      [secret],
    );
    expect(masked.text).toBe(`raw ${MASK} encoded ${MASK} other p@ssXw+rd`);
  });

  it("leaves events alone when there is nothing to mask", () => {
    const event = { type: "message", text: "hello" };
    expect(maskSecrets(event, [])).toBe(event);
    expect(maskSecrets(event, [""])).toBe(event);
    expect(maskSecrets(event, ["absent-value"])).toEqual(event);
  });
});
