import { describe, expect, it } from "vitest";
import { csvField } from "./csv";

describe("analytics CSV fields", () => {
  it("quotes separators, quotes and line breaks", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(12.5)).toBe("12.5");
  });

  it("defuses a group key a spreadsheet would run as a formula (CSV formula injection attack)", () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("local:demo")).toBe("local:demo");
    expect(csvField(-2)).toBe("-2");
  });
});
