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

  it("masks the encoded forms a tool may print: base64 (any alignment, url-safe too), hex, JSON-escaped", () => {
    const secret = 'tok"en/with+odd\\chars';
    const bytes = Buffer.from(secret);
    const inBase64 = (prefix: string) => Buffer.from(`${prefix}${secret}!`).toString("base64");
    const texts = [
      `basic ${bytes.toString("base64")}`,
      `aligned +1 ${inBase64("a")}`,
      `aligned +2 ${inBase64("ab")}`,
      `url-safe ${Buffer.from(`ab${secret}`).toString("base64url")}`,
      `hex ${bytes.toString("hex")} HEX ${bytes.toString("hex").toUpperCase()}`,
      `json ${JSON.stringify({ secret })}`,
    ];
    const masked = maskSecrets({ type: "log", texts }, [secret]).texts;
    for (const [i, text] of masked.entries()) {
      expect(text, texts[i]).toContain(MASK);
      expect(text).not.toContain(bytes.toString("base64").slice(4, 20));
      expect(text).not.toContain(bytes.toString("hex").slice(0, 16));
      expect(text).not.toContain(secret);
    }
  });

  it("leaves events alone when there is nothing to mask", () => {
    const event = { type: "message", text: "hello" };
    expect(maskSecrets(event, [])).toBe(event);
    expect(maskSecrets(event, [""])).toBe(event);
    expect(maskSecrets(event, ["absent-value"])).toEqual(event);
  });
});
